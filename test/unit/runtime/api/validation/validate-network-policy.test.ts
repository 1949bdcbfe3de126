import { describe, expect, it } from 'vitest';
import { validateNetworkPolicySpec } from '../../../../../runtime/api/validation/validate-network-policy.js';

const db = { matchLabels: { role: 'db' } };
const from = (peer: unknown) => ({ podSelector: db, ingress: [{ from: [peer] }] });
const ports = (...list: unknown[]) => ({ podSelector: db, ingress: [{ ports: list }] });
const block = (cidr: unknown, except?: unknown[]) => from({ ipBlock: { cidr, ...(except ? { except } : {}) } });

describe('validateNetworkPolicySpec', () => {
  const cases: Array<[what: string, spec: unknown, causes: string[]]> = [
    ['an empty selector selects every pod', { podSelector: {} }, []],
    ['no podSelector', { ingress: [] }, ['spec.podSelector: Required value']],
    ['a bad matchExpressions operator', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Is' }] } }, ['spec.podSelector.matchExpressions[0].operator: Invalid value: "Is": not a valid selector operator']],
    ['In without values', { podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }, ["spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]],
    ['Exists with values', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } }, ["spec.podSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"]],
    ['ports by number, by name, and a range', ports({ protocol: 'TCP', port: 6379 }, { protocol: 'UDP', port: 'dns' }, { port: 32000, endPort: 32768 }), []],
    ['an unknown protocol', ports({ protocol: 'ICMP', port: 1 }), ['spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"']],
    ['a port out of range', ports({ port: 0 }), ['spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']],
    ['a bad port name', ports({ port: 'HTTP' }), ['spec.ingress[0].ports[0].port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
    ['endPort below port', ports({ port: 100, endPort: 99 }), ['spec.ingress[0].ports[0].endPort: Invalid value: 100: must be greater than or equal to `port`']],
    ['endPort with a named port', ports({ port: 'http', endPort: 90 }), ['spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric']],
    ['endPort without port', ports({ endPort: 90 }), ['spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is not specified']],
    ['an empty peer', from({}), ['spec.ingress[0].from[0]: Required value: must specify a peer']],
    ['ipBlock beside a selector', from({ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }), ['spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer']],
    ['namespace and pod selectors together', from({ namespaceSelector: { matchLabels: { project: 'x' } }, podSelector: {} }), []],
    ['an ipBlock with an except inside', block('172.17.0.0/16', ['172.17.1.0/24']), []],
    ['an IPv6 ipBlock', block('fd00::/8', ['fd00:1::/32']), []],
    ['an ipBlock without cidr', block(''), ['spec.ingress[0].from[0].ipBlock.cidr: Required value']],
    ['a cidr that is no CIDR', block('10.0.0.0'), ['spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0": not a valid CIDR']],
    ['an except outside cidr', block('10.0.0.0/16', ['10.1.0.0/24']), ['spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`']],
    ['an except as wide as cidr', block('10.0.0.0/16', ['10.0.0.0/16']), ['spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`']],
    ['an except of the other family', block('10.0.0.0/8', ['fd00::/64']), ['spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "fd00::/64": must be a strict subset of `cidr`']],
    ['egress peers are checked too', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: 'x' } }] }] }, ['spec.egress[0].to[0].ipBlock.cidr: Invalid value: "x": not a valid CIDR']],
    ['both policy types', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, []],
    ['an unknown policy type', { podSelector: {}, policyTypes: ['Ingres'] }, ['spec.policyTypes[0]: Unsupported value: "Ingres": supported values: "Ingress", "Egress"']],
    ['three policy types', { podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] }, ['spec.policyTypes: Invalid value: ["Ingress","Egress","Ingress"]: may not specify more than two policyTypes']],
  ];
  it.each(cases)('%s', (_what, spec, causes) => {
    expect(validateNetworkPolicySpec(spec).map((c) => `${c.field}: ${c.message}`)).toEqual(causes);
  });
});
