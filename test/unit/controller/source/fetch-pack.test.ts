import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchPack } from '../../../../controller/source/fetch-pack.js';
import { toSourceError } from '../../../../controller/source/git-error.js';
import { pktLine } from '../../../../controller/source/pkt-line.js';
import { nodeUploadPackPost, type UploadPackPost } from '../../../../controller/source/upload-pack-post.js';

// What a protocol v2 fetch does with answers that are not a pack: a clear error quoting the
// server, and no temporary file left in objects/pack.

let gitdir: string;
beforeEach(async () => {
  gitdir = await mkdtemp(join(tmpdir(), 'baton-fetch-pack-'));
  await mkdir(join(gitdir, 'objects', 'pack'), { recursive: true });
});
afterEach(async () => {
  await rm(gitdir, { recursive: true, force: true });
});

const band = (n: number, text: string) => pktLine(String.fromCharCode(n) + text);
const WANT = 'a'.repeat(40);

function answering(body: string, statusCode = 200, contentType = 'application/x-git-upload-pack-result'): { post: UploadPackPost; sent: string[] } {
  const sent: string[] = [];
  const post: UploadPackPost = async (url, request, headers) => {
    sent.push(`${url} ${headers['git-protocol']}\n${request.toString()}`);
    return { statusCode, statusMessage: 'x', contentType, body: chunks(Buffer.from(body, 'latin1')) };
  };
  return { post, sent };
}

async function* chunks(body: Buffer): AsyncGenerator<Uint8Array> {
  // Split in two so a pkt-line spans chunks.
  yield body.subarray(0, 7);
  yield body.subarray(7);
}

const fetchWith = (post: UploadPackPost) => fetchPack({ url: 'http://git.invalid/app.git/', gitdir, wants: [WANT], haves: ['b'.repeat(40)], headers: {}, post });

describe('protocol v2 fetch', () => {
  it('asks for the wants with haves, ofs-delta and done, and quotes an error the server sends on side-band 3', async () => {
    const { post, sent } = answering(`${pktLine('packfile\n')}${band(2, 'Counting objects\n')}${band(3, 'pack-objects died\n')}0000`);
    const err = await fetchWith(post).catch((e: unknown) => e);
    expect(toSourceError(err, 'http://git.invalid/app.git', undefined)).toMatchObject({ code: 'FETCH_FAILED', message: expect.stringContaining('the server said: pack-objects died') });
    expect(sent[0]).toContain('http://git.invalid/app.git/git-upload-pack version=2\n');
    for (const line of ['command=fetch', 'ofs-delta', `want ${WANT}`, `have ${'b'.repeat(40)}`, 'done']) expect(sent[0]).toContain(`${line}\n`);
    expect(sent[0]).not.toContain('thin-pack');
    expect(await readdir(join(gitdir, 'objects', 'pack'))).toEqual([]);
  });

  it('quotes an ERR line, and names answers that are no pack', async () => {
    await expect(fetchWith(answering(`${pktLine('ERR upload-pack: not our ref\n')}0000`).post)).rejects.toThrow('the server said: upload-pack: not our ref');
    await expect(fetchWith(answering(`${pktLine('packfile\n')}${band(1, 'PACK')}`).post)).rejects.toThrow(/ends before the pack does/);
    await expect(fetchWith(answering('0000').post)).rejects.toThrow(/no packfile section/);
    await expect(fetchWith(answering('<html>', 200, 'text/html').post)).rejects.toThrow(/did not answer as a Git smart-HTTP server/);
    const denied = await fetchWith(answering('', 404).post).catch((e: unknown) => e);
    expect(toSourceError(denied, 'http://git.invalid/app.git', undefined)).toMatchObject({ code: 'REPOSITORY_NOT_FOUND' });
    expect(await readdir(join(gitdir, 'objects', 'pack'))).toEqual([]);
  });

  it('follows a 307 to where the repository moved, with the same request', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${Buffer.concat(parts).includes(`want ${WANT}`)}`);
        if (req.url === '/old.git/git-upload-pack') {
          res.writeHead(307, { location: '/new.git/git-upload-pack' }).end();
        } else {
          res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' }).end(`${pktLine('ERR moved here\n')}0000`);
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/old.git`;
      await expect(fetchPack({ url, gitdir, wants: [WANT], haves: [], headers: {}, post: nodeUploadPackPost(10_000) })).rejects.toThrow('the server said: moved here');
      expect(seen).toEqual(['POST /old.git/git-upload-pack true', 'POST /new.git/git-upload-pack true']);
    } finally {
      server.close();
    }
  });
});
