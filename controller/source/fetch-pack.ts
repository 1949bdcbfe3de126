import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { indexPack } from './pack/index-pack.js';
import { pktLine, readPktLines } from './pkt-line.js';
import type { UploadPackPost } from './upload-pack-post.js';

export interface FetchPackRequest {
  /** Repository URL (the one requests go to). */
  url: string;
  /** Git directory the pack goes into (`objects/pack`). */
  gitdir: string;
  /** Object ids wanted (the tips the mirror needs). */
  wants: readonly string[];
  /** Tips the mirror already holds, with all they reach: the server leaves those objects out. */
  haves: readonly string[];
  headers: Record<string, string>;
  post: UploadPackPost;
}

/** A non-200 answer, shaped as isomorphic-git's HttpError so toSourceError() names it the same way. */
export class UploadPackHttpError extends Error {
  readonly code = 'HttpError';
  constructor(readonly data: { statusCode: number; statusMessage: string }) {
    super(`HTTP Error: ${data.statusCode} ${data.statusMessage}`);
  }
}

/** The server refused or failed the fetch and said why (an `ERR` line or side-band 3). */
export class UploadPackServerError extends Error {
  readonly code = 'UploadPackServerError';
}

/**
 * One protocol v2 `fetch` (gitprotocol-v2): wants, haves, `ofs-delta`, `done`
 * in one request, so the answer is the pack at once. The side-band data is
 * written to a temporary file in `objects/pack` as it arrives, indexed from
 * disk (pack/index-pack.ts) and both files renamed into place. No object is
 * held in memory whole unless it is a delta base. Thin packs are not asked
 * for, so every delta's base is in the pack. Returns the objects received.
 */
export async function fetchPack(req: FetchPackRequest): Promise<number> {
  const body = Buffer.from(
    [
      pktLine('command=fetch\n'),
      '0001',
      pktLine('ofs-delta\n'),
      pktLine('no-progress\n'),
      ...req.wants.map((oid) => pktLine(`want ${oid}\n`)),
      ...req.haves.map((oid) => pktLine(`have ${oid}\n`)),
      pktLine('done\n'),
      '0000',
    ].join(''),
    'utf8',
  );
  const res = await req.post(`${req.url.replace(/\/+$/, '')}/git-upload-pack`, body, {
    ...req.headers,
    'content-type': 'application/x-git-upload-pack-request',
    accept: 'application/x-git-upload-pack-result',
    'git-protocol': 'version=2',
  });
  if (res.statusCode !== 200) throw new UploadPackHttpError({ statusCode: res.statusCode, statusMessage: res.statusMessage });
  if (!/application\/x-git-upload-pack-result/.test(res.contentType)) {
    throw new UploadPackServerError(`the server did not answer as a Git smart-HTTP server (content-type "${res.contentType}")`);
  }
  const packDir = join(req.gitdir, 'objects', 'pack');
  const tmp = join(packDir, `tmp_pack_${randomBytes(6).toString('hex')}`);
  try {
    await receivePack(res.body, tmp);
    const indexed = await indexPack(tmp);
    if (indexed.count === 0) return 0;
    const name = join(packDir, `pack-${indexed.checksum}`);
    // The same pack fetched before: the objects are already there.
    if (await stat(`${name}.idx`).catch(() => undefined)) return indexed.count;
    await writeFile(`${tmp}.idx`, indexed.idx, { mode: 0o600 });
    // Readers find a pack through its index: the pack goes into place first.
    await rename(tmp, `${name}.pack`);
    await rename(`${tmp}.idx`, `${name}.idx`);
    return indexed.count;
  } finally {
    await rm(tmp, { force: true });
    await rm(`${tmp}.idx`, { force: true });
  }
}

/** Reads the answer's sections up to `packfile`, then writes side-band 1 to `file` until the flush. */
async function receivePack(body: AsyncIterable<Uint8Array>, file: string): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    let inPack = false;
    let ended = false;
    let band = 0;
    // A line of text (a section header, an error) gathered from its pieces.
    let text: Buffer[] = [];
    for await (const line of readPktLines(body)) {
      if (line.kind !== 'data') {
        if (inPack && line.kind === 'flush') {
          ended = true;
          break;
        }
        continue;
      }
      let data = line.payload;
      if (inPack && line.first) {
        band = data[0];
        data = data.subarray(1);
      }
      if (inPack && band === 1) {
        await writeAll(handle, data);
        continue;
      }
      if (inPack && band === 2) continue;
      text.push(Buffer.from(data));
      if (!line.last) continue;
      const message = Buffer.concat(text).toString('utf8').replace(/\n$/, '');
      text = [];
      if (inPack) {
        if (band === 3) throw new UploadPackServerError(`the server said: ${message.trim()}`);
        throw new UploadPackServerError(`unknown side-band ${band}`);
      }
      if (message.startsWith('ERR ')) throw new UploadPackServerError(`the server said: ${message.slice(4)}`);
      if (message === 'packfile') inPack = true;
      // Other sections (acknowledgments, shallow-info, wanted-refs) carry nothing baton asked for.
    }
    if (!inPack) throw new UploadPackServerError('the answer has no packfile section (does the server speak Git protocol version 2?)');
    if (!ended) throw new UploadPackServerError('the answer ends before the pack does');
  } finally {
    await handle.close();
  }
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let at = 0; at < data.length; ) at += (await handle.write(data, at, data.length - at)).bytesWritten;
}
