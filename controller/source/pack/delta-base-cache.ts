import type { RawObject } from './raw-object.js';

/**
 * Recently used delta bases, so reading the files of one commit does not
 * inflate the same base chain again for every file. Bounded by bytes; big
 * objects are never kept.
 */
export class DeltaBaseCache {
  private readonly entries = new Map<string, RawObject>();
  private bytes = 0;

  constructor(
    /** Total content kept. @defaultValue 16 MiB */
    private readonly maxBytes = 16 << 20,
    /** Largest object kept. @defaultValue 1 MiB */
    private readonly maxObject = 1 << 20,
  ) {}

  get(key: string): RawObject | undefined {
    const found = this.entries.get(key);
    if (found) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, found);
    }
    return found;
  }

  set(key: string, object: RawObject): void {
    if (object.content.length > this.maxObject || this.entries.has(key)) return;
    this.entries.set(key, object);
    this.bytes += object.content.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.content.length;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
