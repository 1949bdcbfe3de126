import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { request as httpsRequest } from 'node:https';
import type { HttpClient } from 'isomorphic-git/http/node';

export interface UploadPackResponse {
  statusCode: number;
  statusMessage: string;
  contentType: string;
  /** The body as it arrives; read it to the end (or stop reading: the request is dropped). */
  body: AsyncIterable<Uint8Array>;
}

/** POSTs a request to `<repo>/git-upload-pack`. */
export type UploadPackPost = (url: string, body: Buffer, headers: Record<string, string>) => Promise<UploadPackResponse>;

/**
 * Node's own HTTP client, streaming the answer with backpressure: a pack is
 * read from the socket only as fast as it is written to disk. (isomorphic-git's
 * node client queues every chunk it receives.) `timeoutMs` is the longest the
 * connection may stay silent.
 */
export function nodeUploadPackPost(timeoutMs: number): UploadPackPost {
  return async (url, body, headers) => {
    // 307 and 308 keep a POST a POST (as isomorphic-git's client, which turns a redirected POST into a GET otherwise).
    for (let redirects = 0; ; redirects++) {
      const res = await postOnce(url, body, headers, timeoutMs);
      const location = res.headers.location;
      if ((res.statusCode !== 307 && res.statusCode !== 308) || !location || redirects >= 5) {
        return { statusCode: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', contentType: String(res.headers['content-type'] ?? ''), body: chunksOf(res) };
      }
      res.resume();
      const next = new URL(location, url);
      if (next.origin !== new URL(url).origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
      url = next.toString();
    }
  };
}

function postOnce(url: string, body: Buffer, headers: Record<string, string>, timeoutMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, timeout: timeoutMs }, resolve);
    req.on('timeout', () => req.destroy(Object.assign(new Error('Request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

/** The same request through an isomorphic-git HTTP client (one given in RepositorySourceOptions.http). */
export function httpClientUploadPackPost(http: HttpClient): UploadPackPost {
  return async (url, body, headers) => {
    const res = await http.request({ url, method: 'POST', headers, body: [new Uint8Array(body)] as never });
    const contentType = Object.entries(res.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
    return { statusCode: res.statusCode, statusMessage: res.statusMessage, contentType, body: res.body ?? empty() };
  };
}

async function* empty(): AsyncGenerator<Uint8Array> {}

/**
 * A stream's chunks as they came off the socket, pausing it until each is
 * taken. (A Readable's own async iterator read()s whatever is buffered as one
 * new, concatenated buffer: a copy of every byte of a pack.)
 */
async function* chunksOf(stream: Readable): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let done = false;
  let failed: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  stream.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    stream.pause();
    wake?.();
  });
  stream.on('end', () => {
    done = true;
    wake?.();
  });
  stream.on('error', (error: unknown) => {
    failed = { error };
    wake?.();
  });
  try {
    while (true) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (failed) throw failed.error;
      if (done) return;
      stream.resume();
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    if (!done) stream.destroy();
  }
}
