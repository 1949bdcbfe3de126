import { runCommand } from './run-command.js';

/**
 * Anti-spoofing on the bridge. A pod has CAP_NET_RAW (as on Kubernetes) and
 * could send frames with another pod's address, poisoning the gateway's ARP
 * table or passing NetworkPolicy (which matches source addresses) as that
 * pod. The `bridge <name>` table drops, on every pod's port, frames whose
 * source MAC and IPv4 address are not that pod's own, ARP whose sender is not
 * it, and every other ethertype (IPv6, VLAN tags), as Calico and Cilium do.
 * A port is checked once it is in `pod_ports`; its pod's own addresses are in
 * `pod_sources`. Both are filled when the pod's sandbox is made, before its
 * eth0 is up.
 */
export const PORTS_SET = 'pod_ports';
export const SOURCES_SET = 'pod_sources';

/** The lines of an `nft -f` script that make (or keep) the anti-spoofing table of `bridge`; its sets keep their elements. */
export function portSourceRuleset(bridge: string): string[] {
  const at = `bridge ${bridge}`;
  const checked = `iifname @${PORTS_SET}`;
  return [
    `add table ${at}`,
    `add set ${at} ${PORTS_SET} { type ifname; }`,
    `add set ${at} ${SOURCES_SET} { type ifname . ether_addr . ipv4_addr; }`,
    // Before br_netfilter hands the frame to the IP hooks (priority 0): the address checked is the one the pod sent.
    `add chain ${at} prerouting { type filter hook prerouting priority -200; policy accept; }`,
    `flush chain ${at} prerouting`,
    `add rule ${at} prerouting ${checked} ether type ip iifname . ether saddr . ip saddr != @${SOURCES_SET} drop`,
    `add rule ${at} prerouting ${checked} ether type arp iifname . ether saddr . arp saddr ip != @${SOURCES_SET} drop`,
    `add rule ${at} prerouting ${checked} ether type != { ip, arp } drop`,
  ];
}

/** The MAC a pod's eth0 gets: locally administered, `0a:58:` and its IPv4 address in hex (as ovn-kubernetes makes them). */
export function podMac(ip: string): string {
  return ['0a', '58', ...ip.split('.').map((octet) => Number(octet).toString(16).padStart(2, '0'))].join(':');
}

function elements(bridge: string, hostVeth: string, mac: string, ip: string): string[] {
  return [`element bridge ${bridge} ${PORTS_SET} { "${hostVeth}" }`, `element bridge ${bridge} ${SOURCES_SET} { "${hostVeth}" . ${mac} . ${ip} }`];
}

/** The `nft -f` lines that check the port `hostVeth` against its pod's own addresses. */
export function addPortSourceLines(bridge: string, hostVeth: string, mac: string, ip: string): string[] {
  return elements(bridge, hostVeth, mac, ip).map((e) => `add ${e}`);
}

export async function addPortSources(bridge: string, hostVeth: string, mac: string, ip: string): Promise<void> {
  await runCommand('nft', ['-f', '-'], `${addPortSourceLines(bridge, hostVeth, mac, ip).join('\n')}\n`);
}

/** Forgets the port of a pod that is gone; no error when it was never added (adding first makes deleting always succeed). */
export async function removePortSources(bridge: string, hostVeth: string, mac: string, ip: string): Promise<void> {
  const lines = elements(bridge, hostVeth, mac, ip);
  await runCommand('nft', ['-f', '-'], `${[...lines.map((e) => `add ${e}`), ...lines.map((e) => `delete ${e}`)].join('\n')}\n`);
}

/**
 * Forgets the ports not in `kept` (veths of pods that are gone without their
 * teardown, found by a sweep): a stale entry would let a later pod on a
 * port of the same name send as the old address, which another pod may have.
 */
export async function forgetPortsExcept(bridge: string, kept: ReadonlySet<string>): Promise<number> {
  const stale: string[] = [];
  for (const set of [PORTS_SET, SOURCES_SET]) {
    const listed = JSON.parse(await runCommand('nft', ['-j', 'list', 'set', 'bridge', bridge, set])) as { nftables: Array<{ set?: { elem?: unknown[] } }> };
    for (const elem of listed.nftables.find((o) => o.set)?.set?.elem ?? []) {
      // A port alone is its name; a source is {concat: [name, mac, ip]}.
      const parts = typeof elem === 'string' ? [elem] : ((elem as { concat?: string[] }).concat ?? []);
      if (parts.length > 0 && !kept.has(parts[0]!)) stale.push(`delete element bridge ${bridge} ${set} { ${parts.map((p, i) => (i === 0 ? `"${p}"` : p)).join(' . ')} }`);
    }
  }
  if (stale.length > 0) await runCommand('nft', ['-f', '-'], `${stale.join('\n')}\n`);
  return stale.length;
}
