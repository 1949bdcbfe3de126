import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { RawObject } from './raw-object.js';

/** A loose object (`objects/ab/cdef…`: zlib of `<type> <size>\0<content>`); undefined when there is no such file. */
export async function readLooseObject(gitdir: string, oid: string): Promise<RawObject | undefined> {
  const file = join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
  const deflated = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
    throw err;
  });
  if (!deflated) return undefined;
  return parseLooseObject(inflateSync(deflated), oid, gitdir);
}

/** A loose object from its inflated bytes (`<type> <size>\0<content>`); throws when they are not one. */
export function parseLooseObject(raw: Buffer, oid: string, gitdir: string): RawObject {
  const nul = raw.indexOf(0);
  const m = /^(commit|tree|blob|tag) (\d+)$/.exec(raw.toString('latin1', 0, Math.max(nul, 0)));
  if (nul < 0 || !m) throw new Error(`loose object ${oid} in ${gitdir} has no valid header`);
  const content = raw.subarray(nul + 1);
  if (content.length !== Number(m[2])) throw new Error(`loose object ${oid} in ${gitdir} is ${content.length} bytes, its header says ${m[2]}`);
  return { type: m[1] as RawObject['type'], content };
}
