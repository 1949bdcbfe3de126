import type { HostPort } from './network-types.js';

/**
 * The nftables ruleset of one network, as `nft -f` input. The runtime owns
 * exactly the table `inet <bridge>`; declaring then deleting it first makes
 * loading the file replace the table in one transaction, whether it existed or not.
 */
export function firewallRuleset(bridge: string, gateway: string, openPorts: HostPort[]): string {
  const br = JSON.stringify(bridge);
  const open = openPorts.map((p) => `    iifname ${br} ip daddr ${gateway} ${p.protocol} dport ${p.port} accept`);
  return [
    `table inet ${bridge} {}`,
    `delete table inet ${bridge}`,
    `table inet ${bridge} {`,
    // Pods never reach another interface, nor another interface the pods, even when the machine forwards IP.
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    `    iifname ${br} oifname != ${br} drop`,
    `    oifname ${br} iifname != ${br} drop`,
    '  }',
    // Nothing listening on the host answers a pod; replies to the host's own connections (probes, proxy) still pass.
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    `    iifname ${br} ct state established,related accept`,
    ...open,
    `    iifname ${br} drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}
