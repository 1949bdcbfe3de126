import { ipToInt } from '../network/ipv4-cidr.js';
import { EGRESS_CHAIN, INGRESS_CHAIN } from './compile-network-policies.js';

/** A connection's first packet, as the table's base chains see it. */
export interface TestPacket {
  /** `forward` for pod to pod (egress then ingress is checked), `input` for pod to host (egress only). */
  hook: 'forward' | 'input';
  saddr: string;
  daddr: string;
  protocol: 'tcp' | 'udp' | 'sctp' | 'icmp';
  dport?: number;
}

type Outcome = 'continue' | 'reject';

/**
 * Runs a packet through compiled chains the way nft would, for exactly the
 * rule forms the compiler writes, so tests can ask "is x/a → y/b on TCP 80
 * allowed" instead of reading rule text. Anything else throws, so a new rule
 * form cannot pass unread. Tests only.
 */
export function evaluateChains(chains: Map<string, string[]>, packet: TestPacket): 'allowed' | 'rejected' {
  if (run(chains, EGRESS_CHAIN, packet, 0) === 'reject') return 'rejected';
  if (packet.hook === 'forward' && run(chains, INGRESS_CHAIN, packet, 0) === 'reject') return 'rejected';
  return 'allowed';
}

function run(chains: Map<string, string[]>, name: string, packet: TestPacket, depth: number): Outcome {
  const rules = chains.get(name);
  if (!rules) throw new Error(`jump to missing chain ${name}`);
  if (depth > 4) throw new Error(`jumps nest too deep at ${name}`);
  for (const rule of rules) {
    const t = tokens(rule);
    let matched = true;
    let i = 0;
    while (i < t.length && matched) {
      const word = t[i];
      if (word === 'ip' && t[i + 2] === 'vmap') {
        const address = t[i + 1] === 'saddr' ? packet.saddr : packet.daddr;
        for (const entry of elements(t[i + 3])) {
          const m = /^(\S+) : jump (\S+)$/.exec(entry);
          if (!m) throw new Error(`unknown map entry ${entry}`);
          if (m[1] === address && run(chains, m[2], packet, depth + 1) === 'reject') return 'reject';
        }
        i += 4;
        matched = false;
      } else if (word === 'ip' && (t[i + 1] === 'saddr' || t[i + 1] === 'daddr')) {
        matched = inSet(t[i + 2], ipToInt(t[i + 1] === 'saddr' ? packet.saddr : packet.daddr)!, parseAddress);
        i += 3;
      } else if ((word === 'tcp' || word === 'udp' || word === 'sctp') && t[i + 1] === 'dport') {
        matched = packet.protocol === word && packet.dport !== undefined && inSet(t[i + 2], packet.dport, parsePort);
        i += 3;
      } else if (word === 'meta' && t[i + 1] === 'l4proto') {
        matched = packet.protocol === t[i + 2];
        i += 3;
      } else if (word === 'return') {
        return 'continue';
      } else if (word === 'reject') {
        return 'reject';
      } else {
        throw new Error(`unknown rule form at "${t.slice(i).join(' ')}" in ${name}: ${rule}`);
      }
    }
  }
  return 'continue';
}

/** Splits on spaces, keeping `{ … }` as one token. */
function tokens(rule: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < rule.length) {
    if (rule[i] === ' ') {
      i++;
    } else if (rule[i] === '{') {
      const end = rule.indexOf('}', i);
      out.push(rule.slice(i, end + 1));
      i = end + 1;
    } else {
      const end = rule.indexOf(' ', i);
      out.push(rule.slice(i, end < 0 ? rule.length : end));
      i = end < 0 ? rule.length : end;
    }
  }
  return out;
}

function elements(token: string): string[] {
  if (!token.startsWith('{')) return [token];
  const inner = token.slice(1, -1).trim();
  if (inner === '') throw new Error('empty set');
  return inner.split(',').map((e) => e.trim());
}

function inSet(token: string, value: number, parse: (e: string) => [number, number]): boolean {
  return elements(token).some((e) => {
    const [first, last] = parse(e);
    return value >= first && value <= last;
  });
}

function parseAddress(e: string): [number, number] {
  const dash = e.split('-');
  if (dash.length === 2) return [ipToInt(dash[0])!, ipToInt(dash[1])!];
  const [ip, prefix] = e.split('/');
  const base = ipToInt(ip);
  if (base === undefined) throw new Error(`bad address ${e}`);
  if (prefix === undefined) return [base, base];
  const size = 2 ** (32 - Number(prefix));
  return [base, base + size - 1];
}

function parsePort(e: string): [number, number] {
  const [a, b] = e.split('-').map(Number);
  return [a, b ?? a];
}
