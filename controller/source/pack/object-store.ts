import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DeltaBaseCache } from './delta-base-cache.js';
import { readLooseObject } from './loose-object.js';
import { PackFile } from './pack-file.js';
import { PackIndex } from './pack-index.js';
import type { RawObject } from './raw-object.js';

const OID = /^[0-9a-f]{40}$/;

/**
 * The objects of one Git directory: loose ones, and packed ones read entry by
 * entry through each pack's `.idx` (PackFile). The list of packs is read once
 * and again whenever an object is not found or a pack has gone (a fetch added
 * one, `git gc` replaced them), so no pack is ever loaded whole.
 */
export class ObjectStore {
  private packs: Promise<PackFile[]> | undefined;
  private readonly known = new Map<string, { mtimeMs: number; pack: PackFile }>();
  private readonly cache = new DeltaBaseCache();

  constructor(readonly gitdir: string) {}

  /** The object, or undefined when neither a loose file nor a pack holds it. */
  async read(oid: string): Promise<RawObject | undefined> {
    if (!OID.test(oid)) return undefined;
    const loose = await readLooseObject(this.gitdir, oid);
    if (loose) return loose;
    for (const rescan of [false, true]) {
      if (rescan) this.reset();
      try {
        for (const pack of await this.packList()) {
          const found = await pack.read(oid);
          if (found) return found;
        }
      } catch (err) {
        // A pack removed since the list was read (git gc, a compacted mirror): read the list again.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || rescan) throw err;
      }
    }
    return undefined;
  }

  /** Whether the object is held, without inflating it. */
  async has(oid: string): Promise<boolean> {
    if (!OID.test(oid)) return false;
    if (await stat(join(this.gitdir, 'objects', oid.slice(0, 2), oid.slice(2))).catch(() => undefined)) return true;
    return (await this.packedAt(oid)) !== undefined;
  }

  /** The pack holding `oid` and where its entry starts, without reading it; undefined when no pack holds it. */
  async packedAt(oid: string): Promise<{ path: string; offset: number } | undefined> {
    if (!OID.test(oid)) return undefined;
    for (const rescan of [false, true]) {
      if (rescan) this.reset();
      for (const pack of await this.packList()) {
        const offset = pack.layout.offsetOf(oid);
        if (offset !== undefined) return { path: pack.path, offset };
      }
    }
    return undefined;
  }

  /** Forget the list of packs (kept open packs are re-read from disk on next use). */
  reset(): void {
    this.packs = undefined;
    this.cache.clear();
  }

  private packList(): Promise<PackFile[]> {
    this.packs ??= this.scan().catch((err: unknown) => {
      this.packs = undefined;
      throw err;
    });
    return this.packs;
  }

  private async scan(): Promise<PackFile[]> {
    const dir = join(this.gitdir, 'objects', 'pack');
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^pack-[0-9a-f]+\.idx$/.test(n)).sort();
    const packs: PackFile[] = [];
    for (const name of names) {
      const idx = join(dir, name);
      const packPath = idx.replace(/\.idx$/, '.pack');
      const [idxStat, packStat] = await Promise.all([stat(idx).catch(() => undefined), stat(packPath).catch(() => undefined)]);
      if (!idxStat || !packStat) continue;
      let entry = this.known.get(idx);
      if (entry?.mtimeMs !== idxStat.mtimeMs) {
        const index = new PackIndex(await readFile(idx), packStat.size);
        entry = { mtimeMs: idxStat.mtimeMs, pack: new PackFile(packPath, index, (oid) => this.read(oid), this.cache) };
        this.known.set(idx, entry);
      }
      packs.push(entry.pack);
    }
    for (const idx of this.known.keys()) if (!names.includes(idx.slice(dir.length + 1))) this.known.delete(idx);
    return packs;
  }
}
