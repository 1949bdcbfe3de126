import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

/**
 * A real Git smart-HTTP server for tests: a node http server on 127.0.0.1 that
 * hands each request to `git http-backend` (the CGI canonical git ships), so
 * isomorphic-git and `git` clone, fetch and push against the real protocol.
 */
export interface GitHttpServerOptions {
  /** Directory holding the served repositories (GIT_PROJECT_ROOT); `<url>/<name>.git` serves `<root>/<name>.git`. */
  root: string;
  /**
   * When set, every request must carry this token as `Authorization: Bearer <token>`
   * or as the password of HTTP basic auth (any username); others get 401.
   * @defaultValue undefined (no auth)
   */
  token?: string;
}

/** What the server saw, to assert how many ref checks and fetches a client made. */
export interface GitHttpRequestRecord {
  method: string;
  /** Path below the root, e.g. `/app.git/info/refs`. */
  path: string;
  /**
   * `info-refs` (ref advertisement GET), `ls-refs` (protocol v2 ref listing),
   * `fetch` (an upload-pack request asking for objects), `push`, `denied` (401) or `other`.
   */
  kind: 'info-refs' | 'ls-refs' | 'fetch' | 'push' | 'denied' | 'other';
}

export interface GitHttpServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Number of requests served so far (all kinds). */
  readonly requests: number;
  /** Every request in arrival order. */
  readonly log: readonly GitHttpRequestRecord[];
  /** Number of requests of one kind so far. */
  count(kind: GitHttpRequestRecord['kind']): number;
  close(): Promise<void>;
}

export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const log: GitHttpRequestRecord[] = [];
  const children = new Set<ReturnType<typeof spawn>>();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    if (/gzip/i.test(req.headers['content-encoding'] ?? '')) body = gunzipSync(body);

    if (options.token !== undefined && !authorized(req.headers.authorization, options.token)) {
      log.push({ method, path: url.pathname, kind: 'denied' });
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"', 'content-type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    log.push({ method, path: url.pathname, kind: classify(method, url, body) });

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GIT_PROJECT_ROOT: options.root,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      // Lets tests fetch commits by id the way GitHub allows (uploadpack.allowAnySHA1InWant).
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'uploadpack.allowAnySHA1InWant',
      GIT_CONFIG_VALUE_0: 'true',
      GIT_CONFIG_KEY_1: 'http.receivepack',
      GIT_CONFIG_VALUE_1: 'true',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: method,
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      CONTENT_LENGTH: String(body.length),
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      REMOTE_USER: 'baton-test',
    };
    const protocol = req.headers['git-protocol'];
    if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;

    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    child.on('exit', () => children.delete(child));
    // http-backend may exit before reading the body (e.g. a refused request).
    child.stdin.on('error', () => undefined);
    child.stdin.end(body);
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.resume();
    await once(child.stdout, 'end');
    sendCgiResponse(res, Buffer.concat(out));
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return log.length;
    },
    log,
    count: (kind) => log.filter((r) => r.kind === kind).length,
    async close() {
      for (const child of children) child.kill('SIGKILL');
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function authorized(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const [scheme, value = ''] = header.split(' ', 2);
  if (/^bearer$/i.test(scheme)) return value === token;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1) === token;
  }
  return false;
}

function classify(method: string, url: URL, body: Buffer): GitHttpRequestRecord['kind'] {
  if (method === 'GET' && url.pathname.endsWith('/info/refs')) return 'info-refs';
  if (method === 'POST' && url.pathname.endsWith('/git-receive-pack')) return 'push';
  if (method === 'POST' && url.pathname.endsWith('/git-upload-pack')) {
    const text = body.toString('latin1');
    if (text.includes('command=ls-refs')) return 'ls-refs';
    if (text.includes('want ') || text.includes('command=fetch')) return 'fetch';
  }
  return 'other';
}

/** Writes a CGI response (headers, blank line, body) as an HTTP response. */
function sendCgiResponse(res: ServerResponse, output: Buffer): void {
  let split = output.indexOf('\r\n\r\n');
  let sepLength = 4;
  if (split < 0) {
    split = output.indexOf('\n\n');
    sepLength = 2;
  }
  if (split < 0) {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('git http-backend wrote no headers\n');
    return;
  }
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of output.subarray(0, split).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else headers[name] = value;
  }
  res.writeHead(status, headers);
  res.end(output.subarray(split + sepLength));
}

const execFileAsync = promisify(execFile);

/** Environment for `git` commands in tests: fixed identity, no user or system config. */
export const gitTestEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Baton Test',
  GIT_AUTHOR_EMAIL: 'test@baton.invalid',
  GIT_COMMITTER_NAME: 'Baton Test',
  GIT_COMMITTER_EMAIL: 'test@baton.invalid',
};

/** Runs real `git` in `cwd` and returns its trimmed stdout; throws with stderr on failure. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd, env: gitTestEnv, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/**
 * Commits everything in the working repository `work` (already filled) as
 * `message` on `main`, pushes it to a new bare `<root>/<name>.git` (its
 * `origin`), and serves `root` over HTTP: `<url>/<name>.git`.
 */
export async function serveNewRepo(work: string, root: string, message: string, name = 'shop'): Promise<GitHttpServer> {
  await git(work, 'init', '-q', '-b', 'main');
  await git(work, 'add', '.');
  await git(work, 'commit', '-qm', message);
  await git(root, 'init', '-q', '--bare', '-b', 'main', `${name}.git`);
  await git(work, 'remote', 'add', 'origin', join(root, `${name}.git`));
  await git(work, 'push', '-q', 'origin', 'main');
  return startGitHttpServer({ root });
}
