import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isCommitId } from '../../runtime/kube/revision.js';

/** One ref as protocol v2 `ls-refs` lists it. */
export interface ListedRef {
  ref: string;
  oid: string;
  /** Where a symbolic ref (HEAD) points. */
  target?: string;
  /** The commit an annotated tag names. */
  peeled?: string;
}

export interface LsRefsRequest {
  /** Repository URL without credentials. */
  url: string;
  prefix: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/**
 * Why a direct ls-refs did not answer: `auth` (401/403: let the full client
 * negotiate), `unsupported` (not a v2 answer: stop trying directly).
 */
export type LsRefsFallback = 'auth' | 'unsupported';

/**
 * A protocol v2 `ls-refs` as one POST, without the capability GET before it.
 * The steady-state poll is exactly this, so it is kept lean: one request, a
 * few hundred bytes, parsed by hand. Servers are stateless over HTTP, so a
 * server that answered v2 once answers this; one that does not is reported as
 * `unsupported` and the caller goes back to the full negotiation.
 */
export async function lsRefsDirect(req: LsRefsRequest): Promise<ListedRef[] | LsRefsFallback> {
  const body = Buffer.from(
    `${pkt('command=ls-refs\n')}0001${pkt('peel\n')}${pkt('symrefs\n')}${pkt(`ref-prefix ${req.prefix}\n`)}0000`,
    'utf8',
  );
  const res = await post(`${req.url.replace(/\/+$/, '')}/git-upload-pack`, body, req.headers, req.timeoutMs);
  if (res.status === 401 || res.status === 403) return 'auth';
  if (res.status !== 200 || !/application\/x-git-upload-pack-result/.test(res.contentType)) return 'unsupported';
  return parseLsRefs(res.body) ?? 'unsupported';
}

function pkt(line: string): string {
  return (Buffer.byteLength(line) + 4).toString(16).padStart(4, '0') + line;
}

/** Parses an ls-refs answer; undefined when it is not one. */
export function parseLsRefs(body: Buffer): ListedRef[] | undefined {
  const refs: ListedRef[] = [];
  let i = 0;
  while (i + 4 <= body.length) {
    const len = Number.parseInt(body.toString('latin1', i, i + 4), 16);
    if (Number.isNaN(len)) return undefined;
    if (len === 0) return i + 4 === body.length ? refs : undefined;
    if (len < 4 || i + len > body.length) return undefined;
    const line = body.toString('utf8', i + 4, i + len).replace(/\n$/, '');
    i += len;
    const [oid, ref, ...attrs] = line.split(' ');
    if (!isCommitId(oid) || !ref) return undefined;
    const entry: ListedRef = { ref, oid };
    for (const a of attrs) {
      if (a.startsWith('symref-target:')) entry.target = a.slice('symref-target:'.length);
      else if (a.startsWith('peeled:')) entry.peeled = a.slice('peeled:'.length);
    }
    refs.push(entry);
  }
  return undefined;
}

function post(url: string, body: Buffer, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; contentType: string; body: Buffer }> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/x-git-upload-pack-request',
          accept: 'application/x-git-upload-pack-result',
          'git-protocol': 'version=2',
          'content-length': String(body.length),
        },
        timeout: timeoutMs,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('Request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
