import { describe, expect, it } from 'vitest';
import { firewallRuleset } from './firewall-ruleset.js';

describe('firewallRuleset', () => {
  it('replaces the table and drops forwarding across the bridge', () => {
    const text = firewallRuleset('bt0123abcd', '10.244.0.1', []);
    expect(text.startsWith('table inet bt0123abcd {}\ndelete table inet bt0123abcd\n')).toBe(true);
    expect(text).toContain('iifname "bt0123abcd" oifname != "bt0123abcd" drop');
    expect(text).toContain('oifname "bt0123abcd" iifname != "bt0123abcd" drop');
    expect(text).not.toContain('dport');
  });

  it('opens only the listed ports, on the gateway, before the input drop', () => {
    const text = firewallRuleset('bt0123abcd', '10.244.0.1', [
      { protocol: 'udp', port: 53 },
      { protocol: 'tcp', port: 53 },
    ]);
    const lines = text.split('\n').map((l) => l.trim());
    const udp = lines.indexOf('iifname "bt0123abcd" ip daddr 10.244.0.1 udp dport 53 accept');
    const tcp = lines.indexOf('iifname "bt0123abcd" ip daddr 10.244.0.1 tcp dport 53 accept');
    const drop = lines.indexOf('iifname "bt0123abcd" drop');
    expect(udp).toBeGreaterThan(0);
    expect(tcp).toBeGreaterThan(udp);
    expect(drop).toBeGreaterThan(tcp);
  });
});
