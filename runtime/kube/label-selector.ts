import { DNS1123_SUBDOMAIN, QUALIFIED_NAME } from './dns-names.js';

/** metav1.LabelSelector as Deployments, ReplicaSets, Jobs and NetworkPolicies carry it. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

export type LabelOperator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!exists';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** A selector as requirements, from `?labelSelector=` text or a metav1.LabelSelector; no requirement matches everything. */
export interface LabelQuery {
  readonly requirements: readonly LabelRequirement[];
  matches(labels: Record<string, string> | undefined): boolean;
}

/** Called with the message when a selector is malformed; it throws. */
export type Reject = (message: string) => never;

const throwError: Reject = (message) => {
  throw new Error(message);
};

/**
 * Whether `labels` satisfy `selector`. An empty selector matches everything
 * and an absent one nothing, as metav1.LabelSelectorAsSelector has it; one
 * with an unknown operator matches nothing.
 */
export function selectorMatches(selector: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  let requirements: LabelRequirement[];
  try {
    requirements = requirementsOf(selector, throwError);
  } catch {
    return false;
  }
  return makeQuery(requirements).matches(labels);
}

/** A metav1.LabelSelector as a query: absent matches everything, as a list without `?labelSelector=` does. */
export function labelQuery(selector: LabelSelector | undefined, reject: Reject = throwError): LabelQuery {
  return makeQuery(requirementsOf(selector, reject));
}

/** True for `{}` (or no selector): Kubernetes refuses to act on such a selector in workloads. */
export function selectorIsEmpty(selector: LabelSelector | undefined | null): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

/** The selector in list-query syntax (`a=b,c in (d,e),!f`). */
export function selectorToString(selector: LabelSelector): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b))) parts.push(`${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** The selector as a list query, or undefined for none or `{}` (which would select everything). */
export function selectorQuery(selector: LabelSelector | undefined | null): string | undefined {
  return selector && !selectorIsEmpty(selector) ? selectorToString(selector) : undefined;
}

/** A Service's plain map selector as a LabelSelector. */
export function mapSelector(selector: Record<string, string> | undefined): LabelSelector {
  return { matchLabels: { ...(selector ?? {}) } };
}


type Token = { kind: 'id' | 'op'; text: string };

/**
 * Parses Kubernetes label selector syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x,y)`, `a` (exists) and `!a`, joined by commas. Malformed text
 * calls `reject` with a message naming the offending part (the API server
 * turns it into a BadRequest).
 */
export function parseLabelQuery(selector: string | undefined, reject: Reject = throwError): LabelQuery {
  const text = (selector ?? '').trim();
  if (!text) return makeQuery([]);
  const tokens = tokenize(text);
  const requirements: LabelRequirement[] = [];
  let i = 0;
  const fail = (why: string): never => reject(`unable to parse label selector "${text}": ${why}`);
  const peek = (): Token | undefined => tokens[i];
  while (i < tokens.length) {
    let t = tokens[i++];
    let requirement: LabelRequirement;
    if (t.kind === 'op' && t.text === '!') {
      const key = tokens[i++];
      if (!key || key.kind !== 'id') fail(`expected a label key after '!'`);
      requirement = { key: key.text, operator: '!exists', values: [] };
    } else if (t.kind === 'id') {
      const key = t.text;
      const op = peek();
      if (!op || (op.kind === 'op' && op.text === ',')) {
        requirement = { key, operator: 'exists', values: [] };
      } else if (op.kind === 'op' && (op.text === '=' || op.text === '==' || op.text === '!=')) {
        i++;
        const value = peek();
        let v = '';
        if (value && value.kind === 'id') {
          v = value.text;
          i++;
        } else if (value && !(value.kind === 'op' && value.text === ',')) {
          fail(`unexpected '${value.text}' after '${key}${op.text}'`);
        }
        requirement = { key, operator: op.text === '!=' ? '!=' : '=', values: [v] };
      } else if (op.kind === 'id' && (op.text === 'in' || op.text === 'notin')) {
        i++;
        if (tokens[i]?.text !== '(') fail(`expected '(' after '${key} ${op.text}'`);
        i++;
        const values: string[] = [];
        while (true) {
          t = tokens[i++];
          if (!t) fail(`missing ')' in '${key} ${op.text} (...'`);
          if (t.kind === 'op' && t.text === ')') break;
          if (t.kind === 'op' && t.text === ',') continue;
          if (t.kind !== 'id') fail(`unexpected '${t.text}' in the values of '${key}'`);
          values.push(t.text);
        }
        if (values.length === 0) fail(`'${key} ${op.text} ()': the set of values must not be empty`);
        requirement = { key, operator: op.text, values };
      } else {
        fail(`unexpected '${op.text}' after '${key}'`);
      }
    } else {
      fail(`unexpected '${t.text}'`);
    }
    validateKey(requirement!.key, fail);
    for (const v of requirement!.values) {
      if (v !== '' && (v.length > 63 || !QUALIFIED_NAME.test(v))) {
        fail(`invalid label value "${v}" for key "${requirement!.key}": must be 63 characters or less, alphanumeric, '-', '_' or '.', starting and ending with an alphanumeric character`);
      }
    }
    requirements.push(requirement!);
    const sep = tokens[i];
    if (sep) {
      if (!(sep.kind === 'op' && sep.text === ',')) fail(`expected ',' before '${sep.text}'`);
      i++;
      if (i >= tokens.length) fail('trailing comma');
    }
  }
  return makeQuery(requirements);
}

function requirementsOf(selector: LabelSelector | undefined, reject: Reject): LabelRequirement[] {
  const out: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) out.push({ key, operator: '=', values: [value] });
  for (const e of selector?.matchExpressions ?? []) {
    const operator = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!exists' } as const)[e.operator];
    if (!operator) reject(`unknown label selector operator "${e.operator}" for key "${e.key}"`);
    out.push({ key: e.key, operator, values: [...(e.values ?? [])] });
  }
  return out;
}

function makeQuery(requirements: LabelRequirement[]): LabelQuery {
  return {
    requirements,
    matches(labels) {
      for (const r of requirements) {
        const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
        const value = has ? labels![r.key] : undefined;
        switch (r.operator) {
          case '=': if (!has || value !== r.values[0]) return false; break;
          case '!=': if (has && value === r.values[0]) return false; break;
          case 'in': if (!has || !r.values.includes(value!)) return false; break;
          case 'notin': if (has && r.values.includes(value!)) return false; break;
          case 'exists': if (!has) return false; break;
          case '!exists': if (has) return false; break;
        }
      }
      return true;
    },
  };
}

function validateKey(key: string, fail: (why: string) => never): void {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    fail(`invalid label key "${key}": the prefix must be a DNS subdomain`);
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    fail(`invalid label key "${key}": name part must be 63 characters or less, alphanumeric, '-', '_' or '.', starting and ending with an alphanumeric character`);
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '=' || c === '!') {
      const two = text.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        tokens.push({ kind: 'op', text: two });
        i += 2;
      } else {
        tokens.push({ kind: 'op', text: c });
        i++;
      }
    } else if (c === ',' || c === '(' || c === ')') {
      tokens.push({ kind: 'op', text: c });
      i++;
    } else {
      let j = i;
      while (j < text.length && !/[\s=!,()]/.test(text[j])) j++;
      tokens.push({ kind: 'id', text: text.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}
