import { badRequest } from '../errors/status-error.js';

export interface FieldRequirement {
  /** Dotted path into the object, e.g. `metadata.name` or `involvedObject.uid`. */
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** A parsed field selector; the empty selector matches everything. */
export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  matches(object: unknown): boolean;
}

const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

/**
 * Parses Kubernetes field selector syntax: `path=value`, `path==value` and
 * `path!=value`, joined by commas (`\,`, `\=` and `\\` escape). Missing fields
 * compare as the empty string, as Kubernetes' field sets do.
 */
export function parseFieldSelector(selector: string | undefined): FieldSelector {
  const text = selector ?? '';
  const requirements: FieldRequirement[] = [];
  for (const term of splitUnescaped(text, ',')) {
    if (term.trim() === '') {
      if (text.trim() === '') break;
      throw badRequest(`invalid field selector "${text}": empty term`);
    }
    const found = findOperator(term);
    if (!found) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = term.slice(0, found.index).trim();
    const value = unescape(term.slice(found.index + found.op.length).trim());
    if (!PATH.test(field)) throw badRequest(`invalid field selector "${text}": "${field}" is not a field path`);
    requirements.push({ field, operator: found.op === '!=' ? '!=' : '=', value });
  }
  return {
    requirements,
    matches(object) {
      for (const r of requirements) {
        const actual = fieldValue(object, r.field);
        if ((actual === r.value) !== (r.operator === '=')) return false;
      }
      return true;
    },
  };
}

/** The string a field selector compares against; '' when absent. */
export function fieldValue(object: unknown, path: string): string {
  let cur: unknown = object;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

function findOperator(term: string): { index: number; op: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') {
      i++;
      continue;
    }
    if (term.startsWith('!=', i)) return { index: i, op: '!=' };
    if (term.startsWith('==', i)) return { index: i, op: '==' };
    if (term[i] === '=') return { index: i, op: '=' };
  }
  return undefined;
}

function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === sep) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}
