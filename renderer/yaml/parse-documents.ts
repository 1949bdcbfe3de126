import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, parseAllDocuments, visit, type Document, type Node } from 'yaml';
import { RenderError } from '../errors/render-error.js';
import { jsonDocuments, type JsonDocument } from './json-documents.js';

export type FieldPath = readonly (string | number)[];

/** One YAML document with what is needed to point back into its file. */
export interface ParsedDocument {
  value: unknown;
  /** 1-based line and column where the document's content starts. */
  line: number;
  col: number;
  /** Position of the value at `path` (or of its nearest existing parent). */
  locate(path: FieldPath): { line: number; col: number };
}

export interface ParseOptions {
  /** Map keys refused wherever they appear (prototype-pollution names). @defaultValue ['__proto__'] */
  forbiddenKeys?: readonly string[];
  /** Added to every reported line, for text that was cut out of a larger file. @defaultValue 0 */
  lineOffset?: number;
  /** How syntax errors name the text (template output is not the file on disk). @defaultValue 'YAML' */
  what?: string;
}

/** Strips the position suffix and snippet that `prettyErrors` appends; we print our own position. */
function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Parses a (multi-document) YAML or JSON text. Syntax errors, duplicate keys,
 * tabs used as indentation and forbidden keys are appended to `errors`, each
 * with its line and column; broken documents are left out of the result.
 */
export function parseDocuments(text: string, file: string, errors: RenderError[], options: ParseOptions = {}): ParsedDocument[] {
  const forbidden = new Set(options.forbiddenKeys ?? ['__proto__']);
  const json = jsonDocuments(text, forbidden);
  return json === undefined ? parseYamlDocuments(text, file, errors, options, forbidden) : fromJson(json, text, file, options, forbidden);
}

/**
 * Documents read as JSON (json-documents.ts). Their start is counted here; a
 * position inside one is asked of the YAML parser, which reads the text once
 * when first asked (an object's own errors point into it; most never do).
 */
function fromJson(docs: JsonDocument[], text: string, file: string, options: ParseOptions, forbidden: ReadonlySet<string>): ParsedDocument[] {
  const offset = options.lineOffset ?? 0;
  let parsed: ParsedDocument[] | undefined;
  let line = 1;
  let lineStart = 0;
  return docs.map(({ value, offset: at }, i) => {
    for (let nl = text.indexOf('\n', lineStart); nl !== -1 && nl < at; nl = text.indexOf('\n', lineStart)) {
      line++;
      lineStart = nl + 1;
    }
    const start = { line: line + offset, col: at - lineStart + 1 };
    return {
      value,
      ...start,
      locate(path) {
        if (path.length === 0) return start;
        parsed ??= parseYamlDocuments(text, file, [], options, forbidden);
        return parsed[i]?.locate(path) ?? start;
      },
    };
  });
}

/** Texts longer than this are lexed first, to count their tokens. */
const COUNTED_ABOVE_CHARS = 1024 * 1024;
/**
 * Tokens a YAML text may hold. The parser keeps a node of ~1 KB for each, all
 * at once: a 2 MB flow list of a million items (3 million tokens) took 1.1 GB,
 * an 8 MB one would pass the heap and crash the process, which no error
 * catches, on every render of that commit. A 4.9 MB bundle of CRDs is ~840,000.
 */
const MAX_YAML_TOKENS = 2_000_000;

/** Whether a text over COUNTED_ABOVE_CHARS holds more tokens than MAX_YAML_TOKENS (lexing costs ~0.3 s a MB; most files skip it). */
function tooManyTokens(text: string): boolean {
  if (text.length <= COUNTED_ABOVE_CHARS) return false;
  let tokens = 0;
  for (const token of new Lexer().lex(text)) {
    void token;
    if (++tokens > MAX_YAML_TOKENS) return true;
  }
  return false;
}

function parseYamlDocuments(text: string, file: string, errors: RenderError[], options: ParseOptions, forbidden: ReadonlySet<string>): ParsedDocument[] {
  const offset = options.lineOffset ?? 0;
  const what = options.what ?? 'YAML';
  if (tooManyTokens(text)) {
    const message = `${what}: more than ${MAX_YAML_TOKENS.toLocaleString('en-US')} tokens; parsing it would take gigabytes (a long list? write it as JSON, or split the file)`;
    errors.push(RenderError.at('TOO_LARGE', file, 1 + offset, 1, message));
    return [];
  }
  const lc = new LineCounter();
  // resolveKnownTags off: YAML 1.1's !!binary, !!set, !!omap and !!timestamp stay plain strings, maps and
  // lists, as Kubernetes' YAML-to-JSON reads them, instead of a Uint8Array, Set, Map or Date (which JSON
  // drops, or freezing throws on).
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true, resolveKnownTags: false });
  const list: Document[] = Array.isArray(docs) ? docs : [docs as unknown as Document];
  const out: ParsedDocument[] = [];
  const pos = (offsetInText: number) => {
    const p = lc.linePos(offsetInText);
    return { line: p.line + offset, col: p.col };
  };
  for (const doc of list) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const p = e.linePos?.[0] ?? { line: 1, col: 1 };
        const hint = e.code === 'TAB_AS_INDENT' ? ' (indent with spaces)' : '';
        errors.push(RenderError.at('YAML_SYNTAX', file, p.line + offset, p.col, `${what}: ${firstLine(e.message)}${hint}`, { yamlCode: e.code }));
      }
      continue;
    }
    const contents = doc.contents as Node | null;
    if (contents === null || (isScalar(contents) && contents.value === null)) continue;
    let bad = false;
    visit(doc, {
      Pair(_, pair) {
        const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
        if (isCollection(key)) {
          // toJS would stringify it and print a process warning; no Kubernetes field or value name is a list or map.
          const p = pos((pair.key as Node).range?.[0] ?? 0);
          errors.push(RenderError.at('YAML_SYNTAX', file, p.line, p.col, `${what}: a map key must be a scalar (a string or number), not a list or map`));
          bad = true;
        }
        if (isPair(pair) && isScalar(pair.key) && forbidden.has(String(pair.key.value))) {
          const p = pos(pair.key.range?.[0] ?? 0);
          errors.push(RenderError.at('FORBIDDEN_NAME', file, p.line, p.col, `key "${String(pair.key.value)}" is not allowed (it could alter object prototypes)`));
          bad = true;
        }
      },
    });
    if (bad) continue;
    const start = pos(contents.range?.[0] ?? 0);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // toJS knows no positions: point at the alias it could not resolve, when that is the problem.
      const alias = /Unresolved alias[^:]*: (.+)$/.exec((err as Error).message)?.[1];
      let at = start;
      if (alias) {
        visit(doc, {
          Alias(_, node) {
            if (node.source === alias && node.range) {
              at = pos(node.range[0]);
              return visit.BREAK;
            }
          },
        });
      }
      errors.push(RenderError.at('YAML_SYNTAX', file, at.line, at.col, `${what}: ${(err as Error).message}`));
      continue;
    }
    out.push({
      value,
      line: start.line,
      col: start.col,
      locate(path) {
        for (let n = path.length; n >= 0; n--) {
          const node = n === 0 ? contents : (doc.getIn(path.slice(0, n), true) as Node | undefined);
          if (node && (isMap(node) || isSeq(node) || isScalar(node)) && node.range) return pos(node.range[0]);
        }
        return start;
      },
    });
  }
  return out;
}
