import { createHash } from 'node:crypto';
import { intToIp } from '../network/ipv4-cidr.js';
import type { KubeObject } from '../kube/object.js';
import { addressElements, matchOf, mergeRanges, portElements, rangesOfNumbers, type Range } from './address-ranges.js';
import { parseNetworkPolicy, type PeerSpec, type PortSpec, type RuleSpec } from './network-policy-spec.js';
import { indexPods, PeerIndex, type IndexedPod } from './peer-index.js';
import type { PolicyPod, PolicyProtocol } from './policy-pod.js';
import type { PolicyProblem } from './policy-problem.js';

/** Jumped to for a new connection; dispatches on the destination to the policed pod's ingress chain. */
export const INGRESS_CHAIN = 'np-ingress';
/** Jumped to for a new connection; dispatches on the source to the policed pod's egress chain. */
export const EGRESS_CHAIN = 'np-egress';

export interface NetworkPolicyInput {
  /** NetworkPolicy objects (networking.k8s.io/v1) of every namespace. */
  policies: readonly KubeObject[];
  /** The pods to police, which are also the peers policies select (see `policyPodOf`). */
  pods: readonly PolicyPod[];
  /** Namespace objects, whose labels namespaceSelectors match; a namespace without one still has its name label. */
  namespaces: readonly KubeObject[];
  /**
   * Addresses that selectors can pick as peers but that are never policed,
   * such as the cluster DNS server on the bridge gateway.
   * @defaultValue []
   */
  extraPeers?: readonly PolicyPod[];
}

export interface CompiledNetworkPolicies {
  /** Chain name → rules in nft syntax; always holds `np-ingress` and `np-egress`, then pod chains by name. */
  chains: Map<string, string[]>;
  /** Parts of policies (or pods) that could not be enforced as written; each allows nothing. */
  problems: PolicyProblem[];
}

interface L4 {
  protocol: PolicyProtocol;
  /** Absent: every port of the protocol. */
  ports?: Range;
}

interface NamedPort {
  protocol: PolicyProtocol;
  name: string;
}

/** One rule of one policy, resolved as far as it can be without knowing the pod it polices. */
interface CompiledRule {
  id: number;
  allowsAll: boolean;
  /** The rule's lines, or undefined when they depend on the policed pod's named ports (ingress only). */
  lines?: string[];
  addresses?: Range[];
  fixed: L4[];
  named: NamedPort[];
}

const REJECT = ['meta l4proto tcp reject with tcp reset', 'reject with icmpx admin-prohibited'];

/**
 * NetworkPolicies as nftables chains for the runtime's `inet` table. Pure:
 * the same input gives the same chains, named after a hash of their rules,
 * so pods policed alike (replicas) share one chain and an unchanged pod's
 * chain keeps its name. A policed pod's chain returns for each allowed
 * connection and rejects the rest; unpoliced pods are not dispatched at all.
 */
export function compileNetworkPolicies(input: NetworkPolicyInput): CompiledNetworkPolicies {
  const problems: PolicyProblem[] = [];
  const targets = indexPods(input.pods, new Set(), problems);
  const extras = indexPods(input.extraPeers ?? [], new Set(targets.map((t) => t.address)), problems);
  const peers = new PeerIndex([...targets, ...extras], input.namespaces);
  const policed = new PeerIndex(targets, []);

  const ingressOf = new Map<IndexedPod, CompiledRule[]>();
  const egressOf = new Map<IndexedPod, CompiledRule[]>();
  const peerCache = new Map<string, ResolvedPeers>();
  // Policies repeat rules ("allow DNS", "from namespace X"); one compiled rule (and id) serves every copy.
  const ruleCache = new Map<string, CompiledRule>();
  const compiled = (rule: RuleSpec, direction: 'ingress' | 'egress', namespace: string): CompiledRule => {
    const key = `${direction}\0${peersScope(rule.peers, namespace)}\0${JSON.stringify(rule.ports ?? null)}`;
    let c = ruleCache.get(key);
    if (!c) ruleCache.set(key, (c = compileRule(rule, direction, namespace, peers, peerCache, ruleCache.size)));
    return c;
  };
  const policies = input.policies
    .map((p) => parseNetworkPolicy(p, problems))
    .sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const policy of policies) {
    if (!policy.podSelector) continue;
    const selected = policed.selected(policy.namespace, policy.podSelector, undefined);
    if (selected.length === 0) continue;
    const add = (to: Map<IndexedPod, CompiledRule[]>, rules: CompiledRule[]) => {
      for (const pod of selected) {
        const list = to.get(pod);
        if (list) list.push(...rules);
        else to.set(pod, [...rules]);
      }
    };
    if (policy.ingress) add(ingressOf, policy.ingress.map((r) => compiled(r, 'ingress', policy.namespace)));
    if (policy.egress) add(egressOf, policy.egress.map((r) => compiled(r, 'egress', policy.namespace)));
  }

  const podChains = new Map<string, string[]>();
  const chains = new Map<string, string[]>([
    [INGRESS_CHAIN, dispatch('daddr', 'np-in-', ingressOf, podChains)],
    [EGRESS_CHAIN, dispatch('saddr', 'np-eg-', egressOf, podChains)],
  ]);
  for (const name of [...podChains.keys()].sort()) chains.set(name, podChains.get(name)!);
  return { chains, problems };
}

interface ResolvedPeers {
  /** Every address the peers allow. */
  addresses: Range[];
  /** Pods among them, on which an egress named port resolves: those selected and those inside an ipBlock. */
  pods: IndexedPod[];
}

/** The peers as text, with the policy's namespace only when a bare podSelector makes them depend on it. */
function peersScope(peers: PeerSpec[] | undefined, namespace: string): string {
  const local = peers?.some((p) => p.kind === 'selector' && !p.namespaceSelector);
  return `${local ? namespace : ''}\0${JSON.stringify(peers ?? null)}`;
}

/** Peers of one rule; cached, since policies repeat the same peers. */
function resolvePeers(peers: PeerSpec[], namespace: string, index: PeerIndex, cache: Map<string, ResolvedPeers>): ResolvedPeers {
  const key = peersScope(peers, namespace);
  const cached = cache.get(key);
  if (cached) return cached;
  const pods = new Map<number, IndexedPod>();
  const blocks: Range[] = [];
  for (const peer of peers) {
    if (peer.kind === 'selector') for (const p of index.selected(namespace, peer.podSelector, peer.namespaceSelector)) pods.set(p.address, p);
    else if (peer.kind === 'ipBlock') blocks.push(...peer.ranges);
  }
  const merged = mergeRanges(blocks);
  for (const p of index.inRanges(merged)) pods.set(p.address, p);
  const podRanges = rangesOfNumbers([...pods.keys()]);
  const resolved = { addresses: merged.length ? mergeRanges([...merged, ...podRanges]) : podRanges, pods: [...pods.values()] };
  cache.set(key, resolved);
  return resolved;
}

function compileRule(rule: RuleSpec, direction: 'ingress' | 'egress', namespace: string, index: PeerIndex, cache: Map<string, ResolvedPeers>, id: number): CompiledRule {
  const field = direction === 'ingress' ? 'saddr' : 'daddr';
  const peers = rule.peers ? resolvePeers(rule.peers, namespace, index, cache) : undefined;
  const addresses = peers?.addresses;
  if (!rule.ports) return { id, allowsAll: !peers, lines: ruleLines(field, addresses, undefined), addresses, fixed: [], named: [] };

  const fixed = rule.ports.flatMap((p: PortSpec): L4[] => (p.kind !== 'number' ? [] : p.range ? [{ protocol: p.protocol, ports: p.range }] : [{ protocol: p.protocol }]));
  const named = rule.ports.flatMap((p: PortSpec): NamedPort[] => (p.kind === 'named' ? [{ protocol: p.protocol, name: p.name }] : []));
  const lines = fixed.length > 0 ? ruleLines(field, addresses, fixed) : [];
  if (named.length === 0) return { id, allowsAll: false, lines, addresses, fixed, named };
  if (direction === 'ingress') return { id, allowsAll: false, addresses, fixed, named };

  // Egress: a named port means whatever number each destination pod gives that name.
  const byPort = new Map<string, { l4: L4; addresses: number[] }>();
  for (const pod of peers ? peers.pods : index.pods) {
    for (const port of resolveNamed(named, pod.pod)) {
      const key = `${port.protocol}/${port.ports?.[0]}`;
      let group = byPort.get(key);
      if (!group) byPort.set(key, (group = { l4: port, addresses: [] }));
      group.addresses.push(pod.address);
    }
  }
  for (const group of byPort.values()) lines.push(...ruleLines(field, rangesOfNumbers(group.addresses), [group.l4]));
  return { id, allowsAll: false, lines, addresses, fixed, named };
}

/** The container ports of `pod` that the named ports name, with the same protocol. */
function resolveNamed(named: readonly NamedPort[], pod: PolicyPod): L4[] {
  const out: L4[] = [];
  for (const n of named) {
    for (const p of pod.ports) if (p.name === n.name && p.protocol === n.protocol) out.push({ protocol: p.protocol, ports: [p.containerPort, p.containerPort] });
  }
  return out;
}

/**
 * `ip <field> <addresses> <l4> return` lines: one per protocol, ports merged
 * into one set. Undefined means "any"; an empty list matches nothing and so
 * gives no line at all.
 */
function ruleLines(field: 'saddr' | 'daddr', addresses: Range[] | undefined, l4: L4[] | undefined): string[] {
  if (addresses && addresses.length === 0) return [];
  const addr = addresses ? `${matchOf(`ip ${field}`, addressElements(addresses))} ` : '';
  if (!l4) return [`${addr}return`];
  const byProtocol = new Map<PolicyProtocol, Range[] | 'all'>();
  for (const m of l4) {
    const seen = byProtocol.get(m.protocol);
    if (seen === 'all') continue;
    if (!m.ports) byProtocol.set(m.protocol, 'all');
    else if (seen) seen.push(m.ports);
    else byProtocol.set(m.protocol, [m.ports]);
  }
  return [...byProtocol.entries()].map(([protocol, ports]) => {
    const proto = protocol.toLowerCase();
    const match = ports === 'all' ? `meta l4proto ${proto}` : matchOf(`${proto} dport`, portElements(mergeRanges(ports)));
    return `${addr}${match} return`;
  });
}

/**
 * The dispatch rule (one verdict map from pod address to chain) for one
 * direction, adding each pod chain to `podChains`. A pod some rule allows
 * everything for is left out: it behaves as if unpoliced.
 */
function dispatch(field: 'saddr' | 'daddr', prefix: string, rulesOf: Map<IndexedPod, CompiledRule[]>, podChains: Map<string, string[]>): string[] {
  const memo = new Map<string, string>();
  const entries: Array<[number, string]> = [];
  for (const [pod, rules] of rulesOf) {
    if (rules.some((r) => r.allowsAll)) continue;
    const podDependent = rules.some((r) => !r.lines);
    const ids = [...new Set(rules.map((r) => r.id))].sort((a, b) => a - b);
    const key = ids.join(',') + (podDependent ? `|${JSON.stringify(pod.pod.ports)}` : '');
    let chain = memo.get(key);
    if (chain === undefined) {
      const lines = rules.flatMap((r) => r.lines ?? ingressLinesFor(r, pod.pod));
      const body = [...[...new Set(lines)].sort(), ...REJECT];
      chain = `${prefix}${createHash('sha256').update(body.join('\n')).digest('hex').slice(0, 16)}`;
      podChains.set(chain, body);
      memo.set(key, chain);
    }
    entries.push([pod.address, chain]);
  }
  if (entries.length === 0) return [];
  entries.sort((a, b) => a[0] - b[0]);
  return [`ip ${field} vmap { ${entries.map(([address, chain]) => `${intToIp(address)} : jump ${chain}`).join(', ')} }`];
}

/** An ingress rule with named ports, resolved on the pod it polices. */
function ingressLinesFor(rule: CompiledRule, pod: PolicyPod): string[] {
  return ruleLines('saddr', rule.addresses, [...rule.fixed, ...resolveNamed(rule.named, pod)]);
}
