import type { LabelSelector } from '../kube/label-selector.js';
import { ipToInt, maskOf } from '../network/ipv4-cidr.js';
import type { KubeObject } from '../kube/object.js';
import { subtractRanges, type Range } from './address-ranges.js';
import type { PolicyProtocol } from './policy-pod.js';
import type { PolicyProblem } from './policy-problem.js';

/** One entry of `from`/`to`, checked. */
export type PeerSpec =
  | { kind: 'selector'; podSelector?: LabelSelector; namespaceSelector?: LabelSelector }
  /** The IPv4 addresses of the block less its exceptions (none for an IPv6 block: pods here have IPv4 only). */
  | { kind: 'ipBlock'; ranges: Range[] }
  /** An entry that was invalid: it matches no one. */
  | { kind: 'nothing' };

/** One entry of `ports`, checked; `range` absent means every port of the protocol. */
export type PortSpec =
  | { kind: 'number'; protocol: PolicyProtocol; range?: Range }
  | { kind: 'named'; protocol: PolicyProtocol; name: string }
  | { kind: 'nothing' };

/** An ingress or egress rule; an absent list does not restrict (an empty one neither, as in Kubernetes). */
export interface RuleSpec {
  peers?: PeerSpec[];
  ports?: PortSpec[];
}

export interface PolicySpec {
  namespace: string;
  name: string;
  /** Undefined when the selector is invalid: the policy then selects no pod. */
  podSelector?: LabelSelector;
  /** Present when the policy isolates selected pods for ingress (empty: allow none). */
  ingress?: RuleSpec[];
  egress?: RuleSpec[];
}

const PROTOCOLS = new Set<string>(['TCP', 'UDP', 'SCTP']);
const OPERATORS = new Set<string>(['In', 'NotIn', 'Exists', 'DoesNotExist']);

type Report = (field: string, message: string) => void;

/**
 * A NetworkPolicy (networking.k8s.io/v1) read and checked once, at the edge,
 * with policyTypes defaulted as the API server does: Ingress always, Egress
 * when the policy has egress rules. Every invalid part is reported and made
 * to allow nothing, so a bad policy never opens more than it says.
 */
export function parseNetworkPolicy(policy: KubeObject, problems: PolicyProblem[]): PolicySpec {
  const namespace = policy.metadata.namespace ?? 'default';
  const name = policy.metadata.name ?? '';
  const report: Report = (field, message) => problems.push({ kind: 'NetworkPolicy', namespace, name, field, message });
  const spec = isObject(policy.spec) ? policy.spec : {};

  const out: PolicySpec = { namespace, name };
  // podSelector is a required struct in Go; absent decodes to the empty selector, which selects every pod.
  out.podSelector = spec.podSelector === undefined || spec.podSelector === null ? {} : checkSelector(spec.podSelector, 'spec.podSelector', report);

  let types: string[] = [];
  if (Array.isArray(spec.policyTypes)) {
    spec.policyTypes.forEach((t: unknown, i: number) => {
      if (t === 'Ingress' || t === 'Egress') types.push(t);
      else report(`spec.policyTypes[${i}]`, `unknown policy type ${JSON.stringify(t)}; only Ingress and Egress exist`);
    });
  } else if (spec.policyTypes !== undefined && spec.policyTypes !== null) {
    report('spec.policyTypes', 'must be a list');
  }
  if (types.length === 0 && !(Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0)) {
    types = ['Ingress'];
    if (Array.isArray(spec.egress) && spec.egress.length > 0) types.push('Egress');
  }
  if (types.includes('Ingress')) out.ingress = checkRules(spec.ingress, 'spec.ingress', 'from', report);
  if (types.includes('Egress')) out.egress = checkRules(spec.egress, 'spec.egress', 'to', report);
  return out;
}

function checkRules(rules: unknown, field: string, peersKey: 'from' | 'to', report: Report): RuleSpec[] {
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules)) {
    report(field, 'must be a list');
    return [];
  }
  return rules.map((rule, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(rule)) {
      report(at, 'must be an object');
      return { peers: [{ kind: 'nothing' }] };
    }
    const out: RuleSpec = {};
    const peers = listOf(rule[peersKey], `${at}.${peersKey}`, report);
    if (peers.length > 0) out.peers = peers.map((p, j) => checkPeer(p, `${at}.${peersKey}[${j}]`, report));
    const ports = listOf(rule.ports, `${at}.ports`, report);
    if (ports.length > 0) out.ports = ports.map((p, j) => checkPort(p, `${at}.ports[${j}]`, report));
    // A rule whose list was not a list must not fall back to "everyone".
    if (rule[peersKey] !== undefined && rule[peersKey] !== null && !Array.isArray(rule[peersKey])) out.peers = [{ kind: 'nothing' }];
    if (rule.ports !== undefined && rule.ports !== null && !Array.isArray(rule.ports)) out.ports = [{ kind: 'nothing' }];
    return out;
  });
}

function checkPeer(peer: unknown, field: string, report: Report): PeerSpec {
  if (!isObject(peer)) {
    report(field, 'must be an object');
    return { kind: 'nothing' };
  }
  const has = (k: string) => peer[k] !== undefined && peer[k] !== null;
  if (has('ipBlock')) {
    if (has('podSelector') || has('namespaceSelector')) {
      report(field, 'ipBlock cannot be combined with podSelector or namespaceSelector');
      return { kind: 'nothing' };
    }
    return checkIpBlock(peer.ipBlock, `${field}.ipBlock`, report);
  }
  if (!has('podSelector') && !has('namespaceSelector')) {
    report(field, 'needs podSelector, namespaceSelector or ipBlock');
    return { kind: 'nothing' };
  }
  const out: PeerSpec = { kind: 'selector' };
  if (has('podSelector')) {
    const s = checkSelector(peer.podSelector, `${field}.podSelector`, report);
    if (!s) return { kind: 'nothing' };
    out.podSelector = s;
  }
  if (has('namespaceSelector')) {
    const s = checkSelector(peer.namespaceSelector, `${field}.namespaceSelector`, report);
    if (!s) return { kind: 'nothing' };
    out.namespaceSelector = s;
  }
  return out;
}

function checkIpBlock(block: unknown, field: string, report: Report): PeerSpec {
  if (!isObject(block) || typeof block.cidr !== 'string') {
    report(`${field}.cidr`, 'must be a CIDR such as 10.0.0.0/8');
    return { kind: 'nothing' };
  }
  const excepts = block.except === undefined || block.except === null ? [] : block.except;
  if (!Array.isArray(excepts)) {
    report(`${field}.except`, 'must be a list of CIDRs');
    return { kind: 'nothing' };
  }
  if (isIpv6Cidr(block.cidr)) return { kind: 'ipBlock', ranges: [] };
  const range = cidrRange(block.cidr);
  if (!range) {
    report(`${field}.cidr`, `${JSON.stringify(block.cidr)} is not a CIDR such as 10.0.0.0/8`);
    return { kind: 'nothing' };
  }
  const holes: Range[] = [];
  for (const [i, e] of excepts.entries()) {
    const hole = typeof e === 'string' ? cidrRange(e) : undefined;
    // A bad exception could hide addresses meant to stay out, so the whole block is dropped.
    if (!hole || hole[0] < range[0] || hole[1] > range[1]) {
      report(`${field}.except[${i}]`, `${JSON.stringify(e)} is not a CIDR inside ${block.cidr}; the block allows nothing`);
      return { kind: 'nothing' };
    }
    holes.push(hole);
  }
  return { kind: 'ipBlock', ranges: subtractRanges([range], holes) };
}

function checkPort(port: unknown, field: string, report: Report): PortSpec {
  if (!isObject(port)) {
    report(field, 'must be an object');
    return { kind: 'nothing' };
  }
  const protocol = port.protocol ?? 'TCP';
  if (!PROTOCOLS.has(protocol)) {
    report(`${field}.protocol`, `unknown protocol ${JSON.stringify(protocol)}; TCP, UDP or SCTP`);
    return { kind: 'nothing' };
  }
  const p = port.port;
  const end = port.endPort;
  const hasEnd = end !== undefined && end !== null;
  if (p === undefined || p === null) {
    if (hasEnd) {
      report(`${field}.endPort`, 'needs a numeric port');
      return { kind: 'nothing' };
    }
    return { kind: 'number', protocol };
  }
  if (typeof p === 'string') {
    // IntOrString: a string is always a name (the API refuses digit-only names), never a number.
    if (hasEnd) {
      report(`${field}.endPort`, 'cannot go with a named port');
      return { kind: 'nothing' };
    }
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(p) || !/[a-z]/.test(p) || p.length > 15) {
      report(`${field}.port`, `${JSON.stringify(p)} is not a port name (lowercase letters, digits and "-", at most 15)`);
      return { kind: 'nothing' };
    }
    return { kind: 'named', protocol, name: p };
  }
  if (!isPortNumber(p)) {
    report(`${field}.port`, `${JSON.stringify(p)} is not a port between 1 and 65535`);
    return { kind: 'nothing' };
  }
  if (!hasEnd) return { kind: 'number', protocol, range: [p, p] };
  if (!isPortNumber(end) || end < p) {
    report(`${field}.endPort`, `${JSON.stringify(end)} must be a port between ${p} and 65535`);
    return { kind: 'nothing' };
  }
  return { kind: 'number', protocol, range: [p, end] };
}

/** The selector when well formed (as metav1.LabelSelectorAsSelector would accept it), else undefined. */
function checkSelector(selector: unknown, field: string, report: Report): LabelSelector | undefined {
  if (!isObject(selector)) {
    report(field, 'must be a label selector');
    return undefined;
  }
  const out: LabelSelector = {};
  if (selector.matchLabels !== undefined && selector.matchLabels !== null) {
    if (!isObject(selector.matchLabels) || Object.values(selector.matchLabels).some((v) => typeof v !== 'string')) {
      report(`${field}.matchLabels`, 'must map label keys to string values');
      return undefined;
    }
    out.matchLabels = selector.matchLabels as Record<string, string>;
  }
  if (selector.matchExpressions !== undefined && selector.matchExpressions !== null) {
    if (!Array.isArray(selector.matchExpressions)) {
      report(`${field}.matchExpressions`, 'must be a list');
      return undefined;
    }
    for (const [i, e] of selector.matchExpressions.entries()) {
      const at = `${field}.matchExpressions[${i}]`;
      if (!isObject(e) || typeof e.key !== 'string' || !OPERATORS.has(e.operator)) {
        report(at, 'needs a key and an operator In, NotIn, Exists or DoesNotExist');
        return undefined;
      }
      const values = e.values ?? [];
      const wantsValues = e.operator === 'In' || e.operator === 'NotIn';
      if (!Array.isArray(values) || values.some((v) => typeof v !== 'string') || wantsValues !== values.length > 0) {
        report(`${at}.values`, wantsValues ? `${e.operator} needs at least one value` : `${e.operator} takes no values`);
        return undefined;
      }
    }
    out.matchExpressions = selector.matchExpressions;
  }
  return out;
}

function listOf(value: unknown, field: string, report: Report): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  report(field, 'must be a list');
  return [];
}

/** `a.b.c.d/n` as its address range; host bits are ignored as Kubernetes' net.ParseCIDR ignores them. */
function cidrRange(text: string): Range | undefined {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  const address = m ? ipToInt(m[1]) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (address === undefined || !(prefix <= 32)) return undefined;
  const first = (address & maskOf(prefix)) >>> 0;
  return [first, first + 2 ** (32 - prefix) - 1];
}

function isIpv6Cidr(text: string): boolean {
  return /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\/\d{1,3}$/.test(text);
}

function isPortNumber(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
