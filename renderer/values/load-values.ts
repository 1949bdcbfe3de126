import { createHash } from 'node:crypto';
import { RenderError } from '../errors/render-error.js';
import { decodeUtf8 } from '../tree/decode-utf8.js';
import { parseDocuments, type FieldPath } from '../yaml/parse-documents.js';
import { forbiddenKeys, isPlainMap, type Values } from './values.js';

/** A values file's text and the name to report it under. */
export interface ValuesSource {
  file: string;
  content: string | Buffer;
}

/** One layer of values, remembering where it came from so errors can point into it. */
export interface ValuesLayer {
  file: string;
  value: Values;
  /** Line and column of a value in this layer's file; absent for --set and inline values. */
  locate?: (path: FieldPath) => { line: number; col: number };
}

/** Parsed values files by name and content digest: many apps share the same files at one commit. Each holds its value and text, not its YAML Document. */
const parsed = new Map<string, ValuesLayer>();
const maxParsed = 512;

/** Forgets parsed values files (benchmarks measuring a cold start). */
export function clearValuesCache(): void {
  parsed.clear();
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** Parses a values file (one YAML mapping; an empty file is `{}`), appending any errors. The result is frozen and shared. */
export function parseValuesFile(source: ValuesSource, errors: RenderError[]): ValuesLayer | undefined {
  const key = `${source.file}\0${createHash('sha256').update(source.content).digest('hex')}`;
  const hit = parsed.get(key);
  if (hit) return hit;
  const layer = parseUncached(source, errors);
  if (layer) {
    deepFreeze(layer.value);
    if (parsed.size >= maxParsed) parsed.delete(parsed.keys().next().value!);
    parsed.set(key, layer);
  }
  return layer;
}

function parseUncached(source: ValuesSource, errors: RenderError[]): ValuesLayer | undefined {
  const text = typeof source.content === 'string' ? source.content : decodeUtf8(source.content, source.file, errors);
  if (text === undefined) return undefined;
  const before = errors.length;
  const docs = parseDocuments(text, source.file, errors, { forbiddenKeys });
  if (errors.length > before) return undefined;
  if (docs.length === 0) return { file: source.file, value: {} };
  if (docs.length > 1) {
    errors.push(RenderError.at('BAD_VALUES', source.file, docs[1].line, docs[1].col, 'a values file must hold a single YAML document'));
    return undefined;
  }
  const doc = docs[0];
  if (!isPlainMap(doc.value)) {
    errors.push(RenderError.at('BAD_VALUES', source.file, doc.line, doc.col, 'values must be a mapping (key: value), not a list or a scalar'));
    return undefined;
  }
  // Positions are asked only to name a schema error's line: parsed again then, so the cache holds no YAML Document.
  // The closure names `file`, not `source`: through `source` it held the file's bytes as well as its text.
  const file = source.file;
  return { file, value: doc.value, locate: (path) => parseDocuments(text, file, [], { forbiddenKeys })[0]!.locate(path) };
}

/** Refuses prototype-reaching keys in values that did not come from YAML (inline values from baton.yaml). */
export function checkValueKeys(value: unknown, file: string, errors: RenderError[], path = 'values'): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkValueKeys(v, file, errors, `${path}[${i}]`));
  } else if (isPlainMap(value)) {
    for (const k of Object.keys(value)) {
      if ((forbiddenKeys as readonly string[]).includes(k)) {
        errors.push(RenderError.at('FORBIDDEN_NAME', file, 1, 1, `${path}: key "${k}" is not allowed (it could alter object prototypes)`));
      } else checkValueKeys(value[k], file, errors, `${path}.${k}`);
    }
  }
}

/** True when `path` exists in `value`. */
export function hasPath(value: unknown, path: FieldPath): boolean {
  let cur: unknown = value;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, seg)) return false;
    cur = (cur as any)[seg];
  }
  return true;
}
