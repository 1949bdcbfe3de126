import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import type { RenderErrorCode } from '../errors/render-error.js';
import { helperNames } from './helpers.js';
import type { CompileCache } from './compile-cache.js';

/** A problem found before rendering, located within the template. */
export interface TemplateIssue {
  code: RenderErrorCode;
  line: number;
  col: number;
  message: string;
}

/** A value path used by the template (to name it when a lookup fails). */
export interface PathRef {
  original: string;
  parts: string[];
  line: number;
  col: number;
}

/** A template compiled once and shared by every render of the same content. */
export interface CompiledTemplate {
  /** Handlebars' template spec; absent when `issues` holds a syntax error. */
  spec?: unknown;
  issues: TemplateIssue[];
  /** Partials named literally (`include "x"`, `{{> x}}`), checked against the chart's partials. */
  partialRefs: { name: string; line: number; col: number }[];
  paths: PathRef[];
}

/** Options every template is compiled with; part of the cache key's meaning. */
export const compileOptions = { strict: true, noEscape: true, data: true } as const;

/**
 * Names that reach object prototypes; refused anywhere in a template. Handlebars
 * already blocks them at run time, but silently (rendering ""), which would hide the mistake.
 */
const forbidden = new Set(['__proto__', 'prototype', ...Object.getOwnPropertyNames(Object.prototype)]);

/**
 * Deeper nesting of {{#blocks}} and (sub expressions) is refused: Handlebars'
 * parser takes time quadratic in it (2,000 levels: seconds), and this walk, its
 * compiler and the compiled template recurse per level, so a stack overflow
 * would escape the render as a crash instead of a located error.
 */
const maxNesting = 100;

/** Helper names in call position (`{{toString 5}}`) are not property lookups. */
const helperPaths = new WeakSet<object>();

export function templateDigest(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

export function compileTemplate(source: string, cache: CompileCache | false): CompiledTemplate {
  const digest = cache ? templateDigest(source) : '';
  const hit = cache ? cache.get(digest) : undefined;
  if (hit) return hit;
  const compiled = compileUncached(source);
  if (cache) cache.set(digest, compiled);
  return compiled;
}

function compileUncached(source: string): CompiledTemplate {
  const out: CompiledTemplate = { issues: [], partialRefs: [], paths: [] };
  const deep = tooDeep(source);
  if (deep) {
    out.issues.push(deep);
    return out;
  }
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (err) {
    out.issues.push(parseIssue(err as Error & { lineNumber?: number; column?: number }, source));
    return out;
  }
  walk(ast, out);
  if (out.issues.length > 0) return out;
  const H = Handlebars as any;
  const environment = new H.Compiler().compile(ast, { ...compileOptions });
  out.spec = new H.JavaScriptCompiler().compile(environment, { ...compileOptions }, undefined, true);
  return out;
}

function at(node: any): { line: number; col: number } {
  return { line: node?.loc?.start?.line ?? 1, col: (node?.loc?.start?.column ?? 0) + 1 };
}

function checkCall(node: any, out: CompiledTemplate): void {
  const path = node.path;
  if (path?.type !== 'PathExpression') return;
  const isCall = node.type === 'SubExpression' || (node.params?.length ?? 0) > 0 || !!node.hash;
  if (isCall && path.parts.length === 1 && helperNames.has(path.parts[0])) helperPaths.add(path);
  if (isCall && !path.data && path.parts.length === 1 && !helperNames.has(path.parts[0]) && node.type !== 'BlockStatement') {
    const name = path.parts[0] as string;
    const near = [...helperNames].find((h) => h.toLowerCase() === name.toLowerCase());
    out.issues.push({ code: 'UNKNOWN_HELPER', ...at(path), message: `unknown helper "${name}"${near ? `; did you mean "${near}"?` : ''} (see renderer/README.md for the helpers)` });
  }
  const first = node.params?.[0];
  if (path.original === 'include' && first?.type === 'StringLiteral') out.partialRefs.push({ name: first.value, ...at(first) });
  if (path.original === 'lookup') {
    for (const p of node.params ?? []) {
      if (p.type === 'StringLiteral' && forbidden.has(p.value)) {
        out.issues.push({ code: 'FORBIDDEN_NAME', ...at(p), message: `"${p.value}" is not allowed in a template (it reaches object prototypes)` });
      }
    }
  }
}

function walk(node: any, out: CompiledTemplate, nesting = 0): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, out, nesting);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  switch (node.type) {
    case 'MustacheStatement':
    case 'SubExpression':
    case 'BlockStatement':
      checkCall(node, out);
      if (node.type !== 'MustacheStatement' && ++nesting > maxNesting) {
        out.issues.push({ code: 'TEMPLATE_SYNTAX', ...at(node), message: `template syntax: blocks and (sub expressions) nested more than ${maxNesting} deep` });
        return;
      }
      break;
    case 'PartialStatement':
    case 'PartialBlockStatement':
      if (node.name?.type === 'PathExpression' || node.name?.type === 'StringLiteral') {
        out.partialRefs.push({ name: node.name.original ?? node.name.value, ...at(node.name) });
      }
      break;
    case 'PathExpression': {
      const bad = helperPaths.has(node) ? undefined : (node.parts as string[]).find((p) => forbidden.has(p));
      if (bad) out.issues.push({ code: 'FORBIDDEN_NAME', ...at(node), message: `"${node.original}": "${bad}" is not allowed in a template (it reaches object prototypes)` });
      out.paths.push({ original: node.original, parts: node.parts, ...at(node) });
      return;
    }
  }
  for (const [k, v] of Object.entries(node)) {
    if (k !== 'loc' && typeof v === 'object') walk(v, out, nesting);
  }
}

/**
 * Handlebars' parser reports "Parse error on line N:" plus an excerpt with a
 * caret; recover the column from the excerpt so the error points at the spot.
 */
function parseIssue(err: Error & { lineNumber?: number; column?: number }, source: string): TemplateIssue {
  const msg = err.message;
  if (typeof err.lineNumber === 'number') {
    const mismatch = /^(\S+) doesn't match (\S+)/.exec(msg);
    const text = mismatch ? `{{#${mismatch[1]}}} is closed by {{/${mismatch[2]}}}` : msg.replace(/ - \d+:\d+$/, '');
    return { code: 'TEMPLATE_SYNTAX', line: err.lineNumber, col: (err.column ?? 0) + 1, message: `template syntax: ${text}` };
  }
  const lineMatch = /(?:Parse|Lexical) error on line (\d+)/.exec(msg);
  const line = lineMatch ? Number(lineMatch[1]) : 1;
  const parts = msg.split('\n');
  let col = 1;
  if (parts.length >= 3 && /^-*\^$/.test(parts[2])) {
    const before = parts[1].slice(0, parts[2].length - 1).replace(/^\.\.\./, '');
    const text = source.split('\n')[line - 1] ?? '';
    // The excerpt drops newlines; the part of it on the error line is its longest suffix found in that line.
    for (let k = before.length; k >= 0; k--) {
      const tail = before.slice(before.length - k);
      const idx = text.indexOf(tail);
      if (idx >= 0) {
        col = idx + tail.length + 1;
        break;
      }
    }
  }
  const got = /got '([^']+)'/.exec(msg)?.[1];
  let detail: string;
  const open = got === 'EOF' ? unclosed(source) : undefined;
  if (open) return { code: 'TEMPLATE_SYNTAX', line: open.line, col: open.col, message: `template syntax: ${open.what} is never closed` };
  if (got === 'EOF') detail = 'unexpected end of template (a {{ or a {{#block}} is not closed)';
  else if (got) detail = `unexpected ${got.toLowerCase().replace(/_/g, ' ')}`;
  else if (msg.startsWith('Lexical')) detail = 'unrecognized text';
  else detail = parts[parts.length - 1];
  return { code: 'TEMPLATE_SYNTAX', line, col, message: `template syntax: ${detail}` };
}

/** The last `{{` without `}}`, else the innermost `{{#block}}` without its `{{/block}}`. */
function unclosed(source: string): { line: number; col: number; what: string } | undefined {
  const pos = (offset: number) => {
    const before = source.slice(0, offset);
    return { line: before.split('\n').length, col: offset - before.lastIndexOf('\n') };
  };
  const lastOpen = source.lastIndexOf('{{');
  if (lastOpen >= 0 && source.indexOf('}}', lastOpen) < 0) return { ...pos(lastOpen), what: '"{{"' };
  const stack: { name: string; offset: number }[] = [];
  for (const m of source.matchAll(/\{\{~?\s*([#/^])\s*\*?([^\s}~]*)/g)) {
    if (m[1] === '/') stack.pop();
    else if (m[1] === '#') stack.push({ name: m[2], offset: m.index });
  }
  const top = stack[stack.length - 1];
  return top ? { ...pos(top.offset), what: `{{#${top.name}}}` } : undefined;
}

/**
 * Finds nesting past maxNesting with a linear scan, before Handlebars parses:
 * open blocks plus open parentheses inside the current mustache (string
 * literals and comments skipped). Escaped or raw mustaches may count a little
 * high, which matters only past a hundred levels.
 */
function tooDeep(source: string): TemplateIssue | undefined {
  const issue = (offset: number): TemplateIssue => {
    const before = source.slice(0, offset);
    return {
      code: 'TEMPLATE_SYNTAX',
      line: before.split('\n').length,
      col: offset - before.lastIndexOf('\n'),
      message: `template syntax: blocks and (sub expressions) nested more than ${maxNesting} deep`,
    };
  };
  let blocks = 0;
  let i = source.indexOf('{{');
  while (i >= 0) {
    let j = i + 2;
    while (source[j] === '{' || source[j] === '~' || source[j] === ' ' || source[j] === '\t' || source[j] === '\n' || source[j] === '\r') j++;
    const c = source[j];
    if (c === '!') {
      const end = source.startsWith('--', j + 1) ? source.indexOf('--', j + 3) : source.indexOf('}}', j);
      if (end < 0) return undefined;
      i = source.indexOf('{{', end + 2);
      continue;
    }
    if (c === '#') blocks++;
    else if (c === '/') blocks = Math.max(0, blocks - 1);
    else if (c === '^' && !/^\^\s*~?\}\}/.test(source.slice(j, j + 16))) blocks++;
    if (blocks > maxNesting) return issue(i);
    let parens = 0;
    let quote = '';
    for (; j < source.length; j++) {
      const ch = source[j];
      if (quote) {
        if (ch === '\\') j++;
        else if (ch === quote) quote = '';
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '(') {
        if (blocks + ++parens > maxNesting) return issue(j);
      } else if (ch === ')') parens--;
      else if (ch === '}' && source[j + 1] === '}') break;
    }
    i = source.indexOf('{{', j);
  }
  return undefined;
}
