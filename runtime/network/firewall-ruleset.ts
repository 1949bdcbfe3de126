import type { HostPort } from './network-types.js';
import { portSourceRuleset } from './port-sources.js';

/** The mark service rules set on packets that must leave with the bridge's address (hairpin, node ports). */
export const MASQUERADE_MARK = '0x00200000';

/** Regular chains other parts of the runtime fill; the base chains jump to them. */
export const GROUP_CHAINS = ['services', 'nodeports', 'np-ingress', 'np-egress'] as const;

export interface FirewallPlan {
  bridge: string;
  gateway: string;
  /** Host ports on the gateway pods may open connections to (cluster DNS). */
  openPorts: HostPort[];
  /** Packets for this range that no service rule translated are refused, never sent on. */
  serviceCidr?: string;
  /** Where NodePorts answer: `127.0.0.1` (the default), another local address, or `0.0.0.0` for every local address. */
  nodePortAddress?: string;
}

/** The match of packets for a node port at `address`. */
function nodePortMatch(address: string): string {
  return address === '0.0.0.0' ? 'fib daddr type local' : `ip daddr ${address}`;
}

const BASE_CHAINS: Array<[name: string, spec: string]> = [
  ['forward', 'type filter hook forward priority filter; policy accept;'],
  ['input', 'type filter hook input priority filter; policy accept;'],
  ['output', 'type filter hook output priority filter; policy accept;'],
  ['nat-prerouting', 'type nat hook prerouting priority dstnat; policy accept;'],
  ['nat-output', 'type nat hook output priority -100; policy accept;'],
  ['nat-postrouting', 'type nat hook postrouting priority srcnat; policy accept;'],
];

/**
 * The `nft -f` script that makes the runtime's tables, `inet <bridge>` and
 * the anti-spoofing `bridge <bridge>` (port-sources.ts), and (re)writes their base chains. The regular chains that the service proxy
 * and the policy compiler fill (and their sets) are declared but left as they
 * are, so a restarted runtime keeps serving from them until it rewrites them.
 *
 * Pod packets are bridged with br_netfilter on, so pod-to-pod traffic shows
 * the pods' veths as interfaces while traffic routed through the host shows
 * the bridge: the isolation rules match the bridge's name only.
 */
export function firewallRuleset(plan: FirewallPlan): string {
  const { bridge, gateway } = plan;
  const at = `inet ${bridge}`;
  const br = JSON.stringify(bridge);
  const nodePortAddress = plan.nodePortAddress ?? '127.0.0.1';
  // Node ports on loopback are only ever reached from the host itself; anywhere else, from outside too.
  const outsideNodePorts = !nodePortAddress.startsWith('127.');
  const services = plan.serviceCidr !== undefined;
  const rules: Record<string, string[]> = {
    forward: [
      ...(services && outsideNodePorts ? [`oifname ${br} iifname != ${br} ct status dnat accept`, `iifname ${br} oifname != ${br} ct status dnat ct state established accept`] : []),
      // Pods never reach another interface, nor another interface the pods, even when the machine forwards IP.
      `iifname ${br} oifname != ${br} drop`,
      `oifname ${br} iifname != ${br} drop`,
      ...(services ? [`ip daddr ${plan.serviceCidr} reject`, 'ct state established,related accept', 'ct state new jump np-egress', 'ct state new jump np-ingress'] : []),
    ],
    // Nothing listening on the host answers a pod; replies to the host's own connections (probes, proxy) still pass.
    input: [
      `iifname ${br} ct state established,related accept`,
      // A Service whose endpoint is a host-network pod: translated by the service rules, so asked for.
      ...(services ? [`iifname ${br} ct state new jump np-egress`, `iifname ${br} ct status dnat accept`] : []),
      ...plan.openPorts.map((p) => `iifname ${br} ip daddr ${gateway} ${p.protocol} dport ${p.port} accept`),
      `iifname ${br} drop`,
    ],
    output: [
      `oifname ${br} icmp type redirect drop`,
      ...(plan.serviceCidr ? [`ip daddr ${plan.serviceCidr} reject`] : []),
    ],
    // Without Services in the kernel the nat chains stay empty, so rules a kernel-mode run left cannot translate anything.
    'nat-prerouting': services ? [`iifname ${br} jump services`, ...(outsideNodePorts ? [`${nodePortMatch(nodePortAddress)} jump nodeports`] : [])] : [],
    'nat-output': services ? ['jump services', `${nodePortMatch(nodePortAddress)} jump nodeports`] : [],
    'nat-postrouting': services ? [`meta mark & ${MASQUERADE_MARK} == ${MASQUERADE_MARK} masquerade`] : [],
  };
  const lines = [`add table ${at}`];
  for (const name of GROUP_CHAINS) lines.push(`add chain ${at} ${name}`);
  for (const [name, spec] of BASE_CHAINS) lines.push(`add chain ${at} ${name} { ${spec} }`, `flush chain ${at} ${name}`);
  for (const [name] of BASE_CHAINS) for (const rule of rules[name]) lines.push(`add rule ${at} ${name} ${rule}`);
  lines.push(...portSourceRuleset(bridge));
  return `${lines.join('\n')}\n`;
}
