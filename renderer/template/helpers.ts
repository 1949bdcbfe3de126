import { createHash } from 'node:crypto';
import type { HelperOptions } from 'handlebars';
import { stringify } from 'yaml';
import { RenderError } from '../errors/render-error.js';
import { formatBytes } from '../limits.js';
import { forbiddenKeys } from '../values/values.js';
import { printf } from './printf.js';
import { boundedJson, jsonLongerThan, maxSerialized, SerializedTooLarge } from './json-size.js';
import { isEmpty } from './truthy.js';
import type { StepSite, WorkBudget } from './work-budget.js';

/** What helpers need from the render in progress. */
export interface HelperHost {
  /** Renders the partial `name` with `context` and returns its text. */
  include(name: string, context: unknown, options: HelperOptions): string;
  /** The template file being rendered (a partial's file while inside it). */
  currentFile(): string;
  maxOutputBytes: number;
  /** What the render's templates may still spend. */
  budget: WorkBudget;
}

interface HelperDef {
  /** Shown when called with the wrong number of arguments. */
  usage: string;
  min: number;
  max: number;
  fn: (...args: any[]) => unknown;
}

const many = Number.POSITIVE_INFINITY;

function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return boundedJson(v);
  return String(v);
}

function int(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) throw new Error(`${what} must be a whole number, got ${JSON.stringify(v)}`);
  return n;
}

function compare(a: unknown, b: unknown, op: string): boolean {
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) {
    throw new Error(`compares two numbers or two strings, got ${typeof a} and ${typeof b}`);
  }
  const x = a as number | string;
  const y = b as number | string;
  return op === 'lt' ? x < y : op === 'gt' ? x > y : op === 'le' ? x <= y : x >= y;
}

function indent(n: unknown, s: unknown): string {
  const width = int(n, 'indent width');
  const text = str(s);
  // Measured before it is built: a width of 10^8 would otherwise allocate its padding first.
  if (Math.max(0, width) * (text.split('\n').length) + text.length > maxSerialized) throw new SerializedTooLarge(`indenting by ${width} would make more than ${formatBytes(maxSerialized)} of text`);
  const pad = ' '.repeat(width);
  return pad + text.replace(/\n/g, `\n${pad}`);
}

/** Helpers that need nothing from the render; `include` is added per render. */
const pure: Record<string, HelperDef> = {
  toYaml: { usage: 'toYaml VALUE', min: 1, max: 1, fn: (v) => (v === undefined ? 'null' : stringify(v, { lineWidth: 0 }).replace(/\n$/, '')) },
  toJson: { usage: 'toJson VALUE', min: 1, max: 1, fn: (v) => boundedJson(v ?? null) },
  quote: { usage: 'quote VALUE…', min: 1, max: many, fn: (...vs) => vs.map((v) => JSON.stringify(str(v))).join(' ') },
  squote: { usage: 'squote VALUE…', min: 1, max: many, fn: (...vs) => vs.map((v) => `'${str(v)}'`).join(' ') },
  default: { usage: 'default DEFAULT VALUE', min: 2, max: 2, fn: (d, v) => (isEmpty(v) ? d : v) },
  empty: { usage: 'empty VALUE', min: 1, max: 1, fn: (v) => isEmpty(v) },
  eq: { usage: 'eq A B', min: 2, max: 2, fn: (a, b) => a === b },
  ne: { usage: 'ne A B', min: 2, max: 2, fn: (a, b) => a !== b },
  lt: { usage: 'lt A B', min: 2, max: 2, fn: (a, b) => compare(a, b, 'lt') },
  gt: { usage: 'gt A B', min: 2, max: 2, fn: (a, b) => compare(a, b, 'gt') },
  le: { usage: 'le A B', min: 2, max: 2, fn: (a, b) => compare(a, b, 'le') },
  ge: { usage: 'ge A B', min: 2, max: 2, fn: (a, b) => compare(a, b, 'ge') },
  and: { usage: 'and A B…', min: 2, max: many, fn: (...vs) => vs.find((v) => isEmpty(v)) ?? vs[vs.length - 1] },
  or: { usage: 'or A B…', min: 2, max: many, fn: (...vs) => vs.find((v) => !isEmpty(v)) ?? vs[vs.length - 1] },
  not: { usage: 'not VALUE', min: 1, max: 1, fn: (v) => isEmpty(v) },
  indent: { usage: 'indent N STRING', min: 2, max: 2, fn: indent },
  nindent: { usage: 'nindent N STRING', min: 2, max: 2, fn: (n, s) => `\n${indent(n, s)}` },
  lower: { usage: 'lower STRING', min: 1, max: 1, fn: (s) => str(s).toLowerCase() },
  upper: { usage: 'upper STRING', min: 1, max: 1, fn: (s) => str(s).toUpperCase() },
  trim: { usage: 'trim STRING', min: 1, max: 1, fn: (s) => str(s).trim() },
  trimPrefix: { usage: 'trimPrefix PREFIX STRING', min: 2, max: 2, fn: (p, s) => (str(s).startsWith(str(p)) ? str(s).slice(str(p).length) : str(s)) },
  trimSuffix: { usage: 'trimSuffix SUFFIX STRING', min: 2, max: 2, fn: (x, s) => (x !== '' && str(s).endsWith(str(x)) ? str(s).slice(0, -str(x).length) : str(s)) },
  trunc: {
    usage: 'trunc N STRING',
    min: 2,
    max: 2,
    fn: (n, s) => {
      const k = int(n, 'trunc length');
      return k >= 0 ? str(s).slice(0, k) : str(s).slice(k);
    },
  },
  replace: { usage: 'replace OLD NEW STRING', min: 3, max: 3, fn: (o, n, s) => str(s).split(str(o)).join(str(n)) },
  contains: { usage: 'contains SUBSTRING STRING', min: 2, max: 2, fn: (sub, s) => str(s).includes(str(sub)) },
  join: {
    usage: 'join SEPARATOR LIST',
    min: 2,
    max: 2,
    fn: (sep, l) => {
      if (!Array.isArray(l)) throw new Error('the second argument must be a list');
      // Each item is bounded alone; so is the whole, before it is joined.
      if (jsonLongerThan(l, maxSerialized) || str(sep).length * Math.max(0, l.length - 1) > maxSerialized) throw new SerializedTooLarge(`the list would make more than ${formatBytes(maxSerialized)} of text`);
      return l.map(str).join(str(sep));
    },
  },
  toString: { usage: 'toString VALUE', min: 1, max: 1, fn: str },
  int: { usage: 'int VALUE', min: 1, max: 1, fn: (v) => int(v, 'int argument') },
  b64enc: { usage: 'b64enc STRING', min: 1, max: 1, fn: (s) => Buffer.from(str(s), 'utf8').toString('base64') },
  b64dec: {
    usage: 'b64dec STRING',
    min: 1,
    max: 1,
    fn: (s) => {
      const t = str(s).replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 === 1) throw new Error(`${JSON.stringify(t.slice(0, 40))} is not valid base64`);
      return Buffer.from(t, 'base64').toString('utf8');
    },
  },
  sha256: { usage: 'sha256 STRING', min: 1, max: 1, fn: (s) => createHash('sha256').update(str(s)).digest('hex') },
  sha256sum: { usage: 'sha256sum STRING', min: 1, max: 1, fn: (s) => createHash('sha256').update(str(s)).digest('hex') },
  printf: { usage: 'printf FORMAT ARGS…', min: 1, max: many, fn: (f, ...args) => printf(str(f), args) },
  list: { usage: 'list A B…', min: 0, max: many, fn: (...vs) => vs },
  dict: {
    usage: 'dict KEY VALUE …',
    min: 0,
    max: many,
    fn: (...kv) => {
      if (kv.length % 2 !== 0) throw new Error('takes key/value pairs; the last key has no value');
      const out: Record<string, unknown> = {};
      for (let i = 0; i < kv.length; i += 2) {
        const k = str(kv[i]);
        if ((forbiddenKeys as readonly string[]).includes(k)) throw new Error(`key "${k}" is not allowed`);
        out[k] = kv[i + 1];
      }
      return out;
    },
  },
  hasKey: {
    usage: 'hasKey MAP KEY',
    min: 2,
    max: 2,
    fn: (m, k) => typeof m === 'object' && m !== null && Object.prototype.hasOwnProperty.call(m, str(k)),
  },
};

/** Handlebars' own helpers that templates keep (log is dropped: it writes to the console). */
export const builtinHelpers = ['if', 'unless', 'each', 'with', 'lookup'] as const;

export const helperUsage: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(pure).map(([k, d]) => [k, d.usage])),
  include: 'include NAME CONTEXT',
  required: 'required MESSAGE VALUE',
};

export const helperNames: ReadonlySet<string> = new Set([...Object.keys(helperUsage), ...builtinHelpers]);

/** Registers every baton helper on an isolated Handlebars environment. */
export function registerHelpers(env: typeof import('handlebars'), host: HelperHost): void {
  env.unregisterHelper('log');
  const wrap = (name: string, def: HelperDef) =>
    function (this: unknown, ...raw: unknown[]): unknown {
      const options = raw.pop() as HelperOptions & { loc?: { start: { line: number; column: number } } };
      const where = (): [string, number, number] => [host.currentFile(), options.loc?.start.line ?? 1, (options.loc?.start.column ?? 0) + 1];
      host.budget.step(where);
      if (raw.length < def.min || raw.length > def.max) {
        const n = def.min === def.max ? `${def.min}` : def.max === many ? `at least ${def.min}` : `${def.min}-${def.max}`;
        throw RenderError.at('TEMPLATE_RUNTIME', ...where(), `${name} takes ${n} argument(s), got ${raw.length}; usage: {{${def.usage}}}`);
      }
      let out: unknown;
      try {
        out = def.fn.apply(options, raw);
      } catch (err) {
        if (err instanceof RenderError) throw err;
        throw RenderError.at(err instanceof SerializedTooLarge ? 'TOO_LARGE' : 'TEMPLATE_RUNTIME', ...where(), `${name}: ${(err as Error).message}`);
      }
      if (typeof out === 'string' && out.length > host.maxOutputBytes) {
        throw RenderError.at('TOO_LARGE', ...where(), `${name} produced ${formatBytes(out.length)}, over the ${formatBytes(host.maxOutputBytes)} output limit`);
      }
      if (typeof out === 'string') host.budget.produced(out.length, where);
      return out;
    };
  for (const [name, def] of Object.entries(pure)) env.registerHelper(name, wrap(name, def));
  for (const name of ['each', 'with', 'if', 'unless']) env.registerHelper(name, budgeted(env.helpers[name]!, host));
  env.registerHelper(
    'required',
    wrap('required', {
      usage: helperUsage.required,
      min: 2,
      max: 2,
      fn(this: HelperOptions & { loc?: { start: { line: number; column: number } } }, message: unknown, value: unknown) {
        if (value === undefined || value === null || value === '') {
          // An empty MESSAGE (often a missing value itself) must not leave the error without words.
          const text = str(message).trim() || 'a required value is missing (required was given no message)';
          throw RenderError.at('REQUIRED_VALUE', host.currentFile(), this.loc?.start.line ?? 1, (this.loc?.start.column ?? 0) + 1, text);
        }
        return value;
      },
    }),
  );
  env.registerHelper(
    'include',
    wrap('include', {
      usage: helperUsage.include,
      min: 1,
      max: 2,
      fn(this: HelperOptions, name: unknown, context: unknown) {
        // Trimmed so `indent`/`nindent` of an included partial lines up, like Helm's {{- define -}} blocks.
        return host.include(str(name), context, this).replace(/^(?:[ \t]*\n)+/, '').replace(/\s+$/, '');
      },
    }),
  );
}

type Block = ((context: unknown, options?: unknown) => string) & Record<string, unknown>;

/**
 * A Handlebars block helper whose body and {{else}} count against the render's
 * budget at each run, and whose own output (a loop's iterations added up) is
 * refused once over the output limit, before the next iteration adds more.
 */
function budgeted(helper: (...args: any[]) => unknown, host: HelperHost) {
  return function (this: unknown, ...args: any[]): unknown {
    const options = args[args.length - 1] as HelperOptions & { loc?: { start: { line: number; column: number } } };
    if (!options || typeof options.fn !== 'function') return helper.apply(this, args);
    const where: StepSite = () => [host.currentFile(), options.loc?.start.line ?? 1, (options.loc?.start.column ?? 0) + 1];
    let total = 0;
    const count = (body: Block): Block =>
      function (this: unknown, context: unknown, opts?: unknown): string {
        host.budget.step(where);
        const out = body.call(this, context, opts);
        total += out.length;
        if (total > host.maxOutputBytes) throw RenderError.at('TOO_LARGE', ...where(), `this block's output passes the ${formatBytes(host.maxOutputBytes)} output limit`);
        host.budget.produced(out.length, where);
        return out;
      } as Block;
    // Handlebars makes a fresh options object for every helper call, and block helpers read no property of fn.
    options.fn = count(options.fn as Block);
    options.inverse = count(options.inverse as Block);
    return helper.apply(this, args);
  };
}
