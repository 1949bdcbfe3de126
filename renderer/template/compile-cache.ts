import type { TemplateIssue, CompiledTemplate } from './compile-template.js';

export type { TemplateIssue, CompiledTemplate };

/** Options for a CompileCache. */
export interface CompileCacheOptions {
  /** Compiled templates kept; the least recently used is dropped past this. @defaultValue 2000 */
  maxEntries?: number;
}

/**
 * Compiled templates keyed by the sha256 of their source, so a chart blob
 * shared by many apps (or unchanged between commits) compiles once.
 */
export class CompileCache {
  private readonly entries = new Map<string, CompiledTemplate>();
  private readonly maxEntries: number;
  hits = 0;
  misses = 0;

  constructor(options: CompileCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 2000;
  }

  get(digest: string): CompiledTemplate | undefined {
    const e = this.entries.get(digest);
    if (e) {
      this.hits++;
      this.entries.delete(digest);
      this.entries.set(digest, e);
    } else this.misses++;
    return e;
  }

  set(digest: string, entry: CompiledTemplate): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(digest, entry);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The process-wide cache renders use unless told otherwise. */
export const sharedCompileCache = new CompileCache();
