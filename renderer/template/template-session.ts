import Handlebars, { type HelperOptions } from 'handlebars';
import { RenderError } from '../errors/render-error.js';
import { formatBytes, type RenderLimits } from '../limits.js';
import type { CompileCache } from './compile-cache.js';
import { compileTemplate, type CompiledTemplate } from './compile-template.js';
import { registerHelpers } from './helpers.js';
import { WorkBudget } from './work-budget.js';

/** A template's text and the tree path it is reported under. */
export interface TemplateSource {
  file: string;
  source: string;
}

const maxIncludeDepth = 64;

// Handlebars reports blocked prototype access on the console; a pure renderer writes nowhere,
// and such lookups are refused with a located error before rendering (compile-template.ts).
Handlebars.logger.level = 'silent' as any;

/**
 * One render's isolated Handlebars environment: its own helpers and partials
 * (Handlebars.create()), strict lookups, no HTML escaping, prototype access
 * left blocked. Tracks which file is rendering so every error is located.
 */
export class TemplateSession {
  private readonly env = Handlebars.create();
  private readonly stack: string[] = [];
  private readonly partials = new Map<string, { file: string; compiled: CompiledTemplate; fn?: Handlebars.TemplateDelegate }>();
  private outputBytes = 0;
  /** Loop iterations, partial and helper calls, and the text they make, for every template of this render. */
  readonly budget: WorkBudget;
  /** Errors found while compiling partials, reported once per render. */
  readonly partialErrors: RenderError[] = [];

  constructor(
    partials: Map<string, TemplateSource>,
    private readonly cache: CompileCache | false,
    private readonly limits: RenderLimits,
  ) {
    this.budget = new WorkBudget(limits);
    registerHelpers(this.env, {
      include: (name, context, options) => this.include(name, context, options),
      currentFile: () => this.currentFile(),
      maxOutputBytes: limits.maxOutputBytes,
      budget: this.budget,
    });
    for (const [name, tpl] of partials) {
      const compiled = compileTemplate(tpl.source, cache);
      for (const i of compiled.issues) this.partialErrors.push(RenderError.at(i.code, tpl.file, i.line, i.col, i.message));
      const fn = compiled.spec ? this.env.template(compiled.spec as any) : undefined;
      this.partials.set(name, { file: tpl.file, compiled, fn });
      this.env.registerPartial(name, ((context: unknown, options: any) => this.invoke(name, context, options?.data)) as any);
    }
  }

  /** The template or partial file rendering right now. */
  currentFile(): string {
    return this.stack[this.stack.length - 1] ?? '';
  }

  /** Partial names referenced literally by `compiled` that the chart does not define. */
  private missingPartials(file: string, compiled: CompiledTemplate): RenderError[] {
    return compiled.partialRefs
      .filter((r) => !this.partials.has(r.name))
      .map((r) =>
        RenderError.at('TEMPLATE_SYNTAX', file, r.line, r.col, `unknown partial "${r.name}"; partials are templates/_${r.name}.hbs (known: ${[...this.partials.keys()].join(', ') || 'none'})`),
      );
  }

  private include(name: string, context: unknown, options: HelperOptions): string {
    if (!this.partials.has(name)) throw new Error(`unknown partial "${name}" (known: ${[...this.partials.keys()].join(', ') || 'none'})`);
    return this.invoke(name, context, options.data);
  }

  private invoke(name: string, context: unknown, data: unknown): string {
    const p = this.partials.get(name)!;
    if (!p.fn) return '';
    if (this.stack.length > maxIncludeDepth) {
      throw RenderError.at('TEMPLATE_RUNTIME', p.file, 1, 1, `partials nested more than ${maxIncludeDepth} deep (does "${name}" include itself?)`);
    }
    const caller = this.currentFile() || p.file;
    const where = (): [string, number, number] => [caller, 1, 1];
    this.budget.step(where);
    this.stack.push(p.file);
    try {
      const out = p.fn(context, { data } as any);
      this.budget.produced(out.length, where);
      return out;
    } catch (err) {
      throw toRenderError(err, p.file, p.compiled);
    } finally {
      this.stack.pop();
    }
  }

  /** Renders one template; errors are returned (all static ones, or the first runtime one). */
  render(tpl: TemplateSource, context: unknown): { output?: string; errors: RenderError[] } {
    const compiled = compileTemplate(tpl.source, this.cache);
    const errors = compiled.issues.map((i) => RenderError.at(i.code, tpl.file, i.line, i.col, i.message));
    errors.push(...this.missingPartials(tpl.file, compiled));
    if (errors.length > 0 || !compiled.spec) return { errors };
    const fn = this.env.template(compiled.spec as any);
    this.stack.push(tpl.file);
    let output: string;
    try {
      output = fn(context);
    } catch (err) {
      return { errors: [toRenderError(err, tpl.file, compiled)] };
    } finally {
      this.stack.pop();
    }
    this.outputBytes += output.length;
    if (this.outputBytes > this.limits.maxOutputBytes) {
      return { errors: [RenderError.at('TOO_LARGE', tpl.file, 1, 1, `rendered output passes the ${formatBytes(this.limits.maxOutputBytes)} limit`)] };
    }
    return { output, errors: [] };
  }

  /** Partial problems reported for every partial, whether or not a template uses it. */
  checkPartials(): RenderError[] {
    const out = [...this.partialErrors];
    for (const p of this.partials.values()) out.push(...this.missingPartials(p.file, p.compiled));
    return out;
  }
}

/** Turns anything thrown while rendering into a located RenderError. */
export function toRenderError(err: unknown, file: string, compiled: CompiledTemplate): RenderError {
  if (err instanceof RenderError) return err;
  const e = err as Error & { lineNumber?: number; column?: number };
  const notDefined = /^"(.+)" not defined in /.exec(e.message ?? '');
  if (notDefined && typeof e.lineNumber === 'number') {
    const line = e.lineNumber;
    const col = (e.column ?? 0) + 1;
    const ref = compiled.paths.find((p) => p.line === line && p.col === col);
    const name = ref?.original ?? notDefined[1];
    return RenderError.at('MISSING_VALUE', file, line, col, `${name} is not defined (set it in values, or use {{default VALUE ${name}}} / {{#if ${name}}})`);
  }
  const reading = /Cannot read properties of (undefined|null) \(reading '([^']+)'\)/.exec(e.message ?? '');
  if (reading) {
    const ref = compiled.paths.find((p) => p.parts.indexOf(reading[2]) > 0);
    if (ref) {
      const parent = ref.parts.slice(0, ref.parts.indexOf(reading[2])).join('.');
      return RenderError.at('MISSING_VALUE', file, ref.line, ref.col, `${ref.original}: ${parent} is not defined`);
    }
  }
  const notObject = /Cannot use 'in' operator to search for '([^']+)' in (.*)$/s.exec(e.message ?? '');
  if (notObject) {
    const ref = compiled.paths.find((p) => p.parts.indexOf(notObject[1]) > 0) ?? compiled.paths.find((p) => p.parts.includes(notObject[1]));
    if (ref) {
      const parent = ref.parts.slice(0, ref.parts.indexOf(notObject[1])).join('.') || 'this';
      return RenderError.at('MISSING_VALUE', file, ref.line, ref.col, `${ref.original}: ${parent} is ${JSON.stringify(notObject[2].slice(0, 40))}, not a map, so it has no "${notObject[1]}"`);
    }
  }
  if (e instanceof RangeError) return RenderError.at('TEMPLATE_RUNTIME', file, 1, 1, `template recursion too deep: ${e.message}`);
  if (typeof e.lineNumber === 'number') {
    return RenderError.at('TEMPLATE_RUNTIME', file, e.lineNumber, (e.column ?? 0) + 1, (e.message ?? String(err)).replace(/ - \d+:\d+$/, ''));
  }
  return RenderError.at('TEMPLATE_RUNTIME', file, 1, 1, e?.message ?? String(err));
}
