import { describe, expect, it } from 'vitest';
import { firewallRuleset } from '../../../../runtime/network/firewall-ruleset.js';

const rulesOf = (text: string, chain: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`add rule inet bt0123abcd ${chain} `))
    .map((l) => l.slice(`add rule inet bt0123abcd ${chain} `.length));

describe('firewallRuleset', () => {
  it('keeps the table and the filled chains, rewrites only the base chains', () => {
    const text = firewallRuleset({ bridge: 'bt0123abcd', gateway: '10.244.0.1', openPorts: [] });
    expect(text).not.toContain('delete table');
    expect(text).toContain('add chain inet bt0123abcd services\n');
    expect(text).not.toContain('flush chain inet bt0123abcd services\n');
    expect(text).toContain('flush chain inet bt0123abcd forward\n');
  });

  it('drops forwarding across the bridge and leaves no open port', () => {
    const text = firewallRuleset({ bridge: 'bt0123abcd', gateway: '10.244.0.1', openPorts: [] });
    expect(rulesOf(text, 'forward')).toContain('iifname "bt0123abcd" oifname != "bt0123abcd" drop');
    expect(rulesOf(text, 'forward')).toContain('oifname "bt0123abcd" iifname != "bt0123abcd" drop');
    expect(text).not.toContain('dport');
  });

  it('opens only the listed ports, on the gateway, before the input drop', () => {
    const text = firewallRuleset({
      bridge: 'bt0123abcd',
      gateway: '10.244.0.1',
      openPorts: [
        { protocol: 'udp', port: 53 },
        { protocol: 'tcp', port: 53 },
      ],
    });
    const input = rulesOf(text, 'input');
    const udp = input.indexOf('iifname "bt0123abcd" ip daddr 10.244.0.1 udp dport 53 accept');
    const tcp = input.indexOf('iifname "bt0123abcd" ip daddr 10.244.0.1 tcp dport 53 accept');
    expect(udp).toBeGreaterThan(0);
    expect(tcp).toBeGreaterThan(udp);
    expect(input.indexOf('iifname "bt0123abcd" drop')).toBeGreaterThan(tcp);
  });

  it('refuses service addresses no rule translated, and serves node ports on loopback only by default', () => {
    const text = firewallRuleset({ bridge: 'bt0123abcd', gateway: '10.244.0.1', openPorts: [], serviceCidr: '10.96.0.0/16' });
    expect(rulesOf(text, 'output')).toContain('ip daddr 10.96.0.0/16 reject');
    expect(rulesOf(text, 'forward')).toContain('ip daddr 10.96.0.0/16 reject');
    expect(rulesOf(text, 'nat-output')).toEqual(['jump services', 'ip daddr 127.0.0.1 jump nodeports']);
    expect(rulesOf(text, 'nat-prerouting')).toEqual(['iifname "bt0123abcd" jump services']);
    expect(rulesOf(text, 'forward').some((r) => r.includes('ct status dnat accept'))).toBe(false);
  });

  it('serves node ports on every local address, from outside too, with 0.0.0.0', () => {
    const text = firewallRuleset({ bridge: 'bt0123abcd', gateway: '10.244.0.1', openPorts: [], serviceCidr: '10.96.0.0/16', nodePortAddress: '0.0.0.0' });
    expect(rulesOf(text, 'nat-prerouting')).toContain('fib daddr type local jump nodeports');
    expect(rulesOf(text, 'forward')[0]).toBe('oifname "bt0123abcd" iifname != "bt0123abcd" ct status dnat accept');
  });
});
