/**
 * A YAML stream whose every document is a JSON object, read with JSON.parse:
 * as Kubernetes' YAMLOrJSONDecoder reads JSON, and the output of generators
 * (jsonnet, `kubectl get -o json`, scripts) often is. JSON is YAML, so the
 * values are the ones the YAML parser gives; the YAML parser builds a full
 * document tree for each, about ten times the work.
 *
 * Whatever this cannot vouch for is left to the YAML parser, for the whole
 * text: a document that is not a JSON object, duplicate or forbidden keys
 * (whose errors the YAML parser reports with their line; `__proto__` always,
 * which JSON.parse keeps as a plain key), directives, `...` end markers, tabs
 * (YAML's rules for tabs differ from JSON's).
 */

/** One document found as JSON: its value and where its first character is. */
export interface JsonDocument {
  value: Record<string, unknown>;
  /** Offset of the document's `{` in the text. */
  offset: number;
}

/** `---` at the start of a line, followed by a blank or the line's end: YAML's document start, which no content may hold (c-forbidden). */
const DOCUMENT_START = /^---(?=[ \r\n]|$)/gm;
/** What makes a text something only the YAML parser reads right: `...` ends, `%` directives, tabs. */
const YAML_ONLY = /^\.\.\.(?=[ \t\r\n]|$)|^%|\t/m;
/** A JSON string, or a `:` outside one: in valid JSON each such `:` separates one key from its value. */
const STRING_OR_COLON = /"(?:[^"\\]|\\.)*"|:/g;

/** The documents of `text` when each is a JSON object with unique keys none of which is forbidden; undefined otherwise. */
export function jsonDocuments(text: string, forbiddenKeys: ReadonlySet<string>): JsonDocument[] | undefined {
  if (YAML_ONLY.test(text)) return undefined;
  const starts = [0];
  for (const m of text.matchAll(DOCUMENT_START)) starts.push(m.index + 3);
  const ends = [...starts.slice(1).map((s) => s - 3), text.length];
  const docs: JsonDocument[] = [];
  for (let i = 0; i < starts.length; i++) {
    const chunk = text.slice(starts[i], ends[i]);
    const first = chunk.search(/[^ \r\n]/);
    if (first === -1) continue; // an empty document, which YAML leaves out too
    if (chunk[first] !== '{') return undefined;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(chunk) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    if (!uniqueAllowedKeys(chunk, value, forbiddenKeys)) return undefined;
    docs.push({ value, offset: starts[i]! + first });
  }
  return docs;
}

/** Whether no map in `value` lost a duplicate key to JSON.parse (the text has one `:` per key kept) and none is forbidden. */
function uniqueAllowedKeys(chunk: string, value: unknown, forbiddenKeys: ReadonlySet<string>): boolean {
  let separators = 0;
  for (const m of chunk.matchAll(STRING_OR_COLON)) if (m[0] === ':') separators++;
  let keys = 0;
  const walk = (v: unknown): boolean => {
    if (typeof v !== 'object' || v === null) return true;
    if (Array.isArray(v)) return v.every(walk);
    for (const key of Object.keys(v)) {
      keys++;
      if (key === '__proto__' || forbiddenKeys.has(key) || !walk((v as Record<string, unknown>)[key])) return false;
    }
    return true;
  };
  try {
    return walk(value) && keys === separators;
  } catch (err) {
    // Nested deeper than the stack: the YAML parser's own limits and errors apply.
    if (err instanceof RangeError) return false;
    throw err;
  }
}
