import { parse as parseYaml, YAMLParseError } from 'yaml';
import { badRequest } from '../../errors/status-error.js';
import { decodeKubeProtobuf } from '../protobuf/decode-kube-protobuf.js';
import { mediaTypeOf, PROTOBUF } from './media-type.js';

/**
 * Parses a request body as JSON, or YAML when the content type says so.
 * Malformed input is a 400 naming the line and column.
 */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  const type = mediaTypeOf(contentType);
  if (type === PROTOBUF) return decodeKubeProtobuf(body);
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty; an object is required');
  let value: unknown;
  if (type.endsWith('yaml')) {
    // JSON is YAML, and what clients send as apply-patch+yaml mostly is JSON: JSON.parse reads it to
    // the same value many times faster. Whatever it refuses goes to the YAML parser.
    const json = /^\s*\{/.test(text) ? parseJsonOrUndefined(text) : undefined;
    if (json !== undefined) {
      checkShape(json);
      return json;
    }
    try {
      // resolveKnownTags off: !!binary, !!set and !!timestamp stay strings and maps, as Kubernetes' YAML-to-JSON reads them.
      value = acyclic(parseYaml(text, { uniqueKeys: false, resolveKnownTags: false }));
    } catch (err) {
      if (err instanceof YAMLParseError) {
        const pos = err.linePos?.[0];
        throw badRequest(`error converting YAML to JSON: yaml: line ${pos?.line ?? '?'}: ${err.message.split('\n')[0]}`);
      }
      throw badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
    }
  } else {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
    }
  }
  checkShape(value);
  return value;
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Deeper bodies are refused: defaulting, validation, patching and storing all recurse
 * per level, and a stack overflow would be a 500. Kubernetes objects nest a few dozen
 * levels at most.
 */
export const MAX_BODY_DEPTH = 256;

/**
 * Refuses bodies nested past MAX_BODY_DEPTH, and `__proto__` keys anywhere: JSON.parse makes
 * them own keys, and a merge that copies them with `target[key] = …` (the strategic merge
 * patch did) replaces Object.prototype for the whole runtime process.
 */
function checkShape(value: unknown): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_BODY_DEPTH) throw badRequest(`the request body is nested more than ${MAX_BODY_DEPTH} levels deep`);
    if (Object.prototype.hasOwnProperty.call(v, '__proto__')) throw badRequest('the request body has a "__proto__" key, which is not allowed (it could alter object prototypes)');
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
}

/**
 * An alias inside its own anchor (`a: &a [*a]`) parses to a cyclic value, which no JSON
 * object can be and every later step (defaulting, patching, storing) would recurse on
 * until the stack overflows.
 */
function acyclic(value: unknown): unknown {
  try {
    JSON.stringify(value);
  } catch (err) {
    if (err instanceof TypeError) throw badRequest('an anchor contains an alias to itself');
    throw err;
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
