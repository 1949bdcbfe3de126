import { BlockList, isIP } from 'node:net';
import type { StatusCause } from '../../errors/status-error.js';
import { portNameProblems } from '../../kube/dns-names.js';
import { forbidden, invalidValue, notSupported, required } from './field-error.js';
import { validateLabelSelector } from './validate-label-selector.js';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const POLICY_TYPES = ['Ingress', 'Egress'];
const PORT_RANGE = 'must be between 1 and 65535, inclusive';

const validPort = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/**
 * The checks Kubernetes 1.32 makes on a networking/v1 NetworkPolicy spec
 * (ValidateNetworkPolicySpec), worded as it words them: the pod selector,
 * each rule's ports (protocol, port by number or name, endPort) and peers
 * (exactly one kind, ipBlock CIDRs with `except` strictly inside), and
 * policyTypes.
 */
export function validateNetworkPolicySpec(spec: any, path = 'spec'): StatusCause[] {
  if (!spec || typeof spec !== 'object') return [required(path)];
  const causes: StatusCause[] = [];
  // Required by the published schema; a real cluster's typed decoding would read an absent one as "every pod".
  if (spec.podSelector === undefined || spec.podSelector === null) causes.push(required(`${path}.podSelector`));
  else causes.push(...validateLabelSelector(spec.podSelector, `${path}.podSelector`));
  list(spec.ingress).forEach((rule, i) => {
    list(rule?.ports).forEach((port, j) => causes.push(...validatePort(port, `${path}.ingress[${i}].ports[${j}]`)));
    list(rule?.from).forEach((peer, j) => causes.push(...validatePeer(peer, `${path}.ingress[${i}].from[${j}]`)));
  });
  list(spec.egress).forEach((rule, i) => {
    list(rule?.ports).forEach((port, j) => causes.push(...validatePort(port, `${path}.egress[${i}].ports[${j}]`)));
    list(rule?.to).forEach((peer, j) => causes.push(...validatePeer(peer, `${path}.egress[${i}].to[${j}]`)));
  });
  const types = list(spec.policyTypes);
  if (types.length > POLICY_TYPES.length) {
    causes.push(invalidValue(`${path}.policyTypes`, types, 'may not specify more than two policyTypes'));
  } else {
    types.forEach((t, i) => {
      if (!POLICY_TYPES.includes(t)) causes.push(notSupported(`${path}.policyTypes[${i}]`, t, POLICY_TYPES));
    });
  }
  return causes;
}

function validatePort(port: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(port?.protocol) && !PROTOCOLS.includes(port.protocol)) causes.push(notSupported(`${at}.protocol`, port.protocol, PROTOCOLS));
  if (has(port?.port)) {
    if (typeof port.port === 'number') {
      if (!validPort(port.port)) causes.push(invalidValue(`${at}.port`, port.port, PORT_RANGE));
      if (has(port.endPort)) {
        // Kubernetes names the port's value here, not endPort's.
        if (port.endPort < port.port) causes.push(invalidValue(`${at}.endPort`, port.port, 'must be greater than or equal to `port`'));
        if (!validPort(port.endPort)) causes.push(invalidValue(`${at}.endPort`, port.endPort, PORT_RANGE));
      }
    } else {
      if (has(port.endPort)) causes.push(invalidValue(`${at}.endPort`, port.endPort, 'may not be specified when `port` is non-numeric'));
      for (const p of portNameProblems(String(port.port))) causes.push(invalidValue(`${at}.port`, port.port, p));
    }
  } else if (has(port?.endPort)) {
    causes.push(invalidValue(`${at}.endPort`, port.endPort, 'may not be specified when `port` is not specified'));
  }
  return causes;
}

function validatePeer(peer: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  let kinds = 0;
  for (const key of ['podSelector', 'namespaceSelector'] as const) {
    if (peer?.[key] === undefined || peer[key] === null) continue;
    kinds++;
    causes.push(...validateLabelSelector(peer[key], `${at}.${key}`));
  }
  const block = peer?.ipBlock;
  if (block !== undefined && block !== null) {
    kinds++;
    causes.push(...validateIpBlock(block, `${at}.ipBlock`));
  }
  if (kinds === 0) causes.push(required(at, 'must specify a peer'));
  else if (kinds > 1 && block !== undefined && block !== null) causes.push(forbidden(at, 'may not specify both ipBlock and another peer'));
  return causes;
}

interface Cidr {
  address: string;
  family: 'ipv4' | 'ipv6';
  prefix: number;
}

function parseCidr(text: unknown): Cidr | undefined {
  if (typeof text !== 'string') return undefined;
  const [address, prefixText, ...rest] = text.split('/');
  const version = isIP(address);
  if (rest.length || !version || !/^\d{1,3}$/.test(prefixText ?? '')) return undefined;
  const prefix = Number(prefixText);
  return prefix <= (version === 4 ? 32 : 128) ? { address, family: version === 4 ? 'ipv4' : 'ipv6', prefix } : undefined;
}

function validateIpBlock(block: any, at: string): StatusCause[] {
  if (typeof block.cidr !== 'string' || block.cidr === '') return [required(`${at}.cidr`)];
  const cidr = parseCidr(block.cidr);
  if (!cidr) return [invalidValue(`${at}.cidr`, block.cidr, 'not a valid CIDR')];
  const inside = new BlockList();
  inside.addSubnet(cidr.address, cidr.prefix, cidr.family);
  const causes: StatusCause[] = [];
  for (const [i, text] of list(block.except).entries()) {
    const except = parseCidr(text);
    if (!except) {
      causes.push(invalidValue(`${at}.except[${i}]`, text, 'not a valid CIDR'));
      return causes;
    }
    // With a longer prefix, the except block lies inside cidr exactly when any of its addresses does.
    if (except.prefix <= cidr.prefix || except.family !== cidr.family || !inside.check(except.address, except.family)) {
      causes.push(invalidValue(`${at}.except[${i}]`, text, 'must be a strict subset of `cidr`'));
    }
  }
  return causes;
}
