import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { shortRevision } from '../../../runtime/kube/revision.js';
import { apiMethod, apiPath, type ApiArgs } from '../api/api-path.js';
import type { ApiAnswer, ApiErrorBody, ApiRoute, StateEvent } from '../api/contract.js';
import { CliError } from './cli-error.js';

/** The flags every REST API client command takes. */
export interface ClientFlags {
  /** @defaultValue 'http://127.0.0.1:7070' */
  server: string;
  /** @defaultValue $BATON_TOKEN, else the contents of `<state-dir>/api-token` */
  token?: string;
  /** @defaultValue '.baton' */
  stateDir: string;
  /** @defaultValue 'table' */
  output: 'json' | 'table';
}

export const DEFAULT_SERVER = 'http://127.0.0.1:7070';

/** Adds --server, --token, --state-dir and --output to a client command. */
export function withClientOptions(command: Command): Command {
  return command
    .option('--server <url>', 'the baton controller API', DEFAULT_SERVER)
    .option('--token <token>', 'API token (default: $BATON_TOKEN, else <state-dir>/api-token)')
    .option('--state-dir <dir>', 'where `baton up` keeps its state (for the token)', '.baton')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'));
}

/** The API refused a request: its status, its `error` word and its message. */
export class ApiRequestError extends CliError {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message, 1);
  }
}

/** A client of the controller's REST API for one CLI command (`command` prefixes its messages). */
export class ApiClient {
  private readonly base: string;

  constructor(
    readonly command: string,
    server: string,
    private readonly token: string,
  ) {
    this.base = server.replace(/\/+$/, '');
  }

  /** The client the flags describe: the token from --token, $BATON_TOKEN or the state dir. */
  static async fromFlags(command: string, flags: ClientFlags): Promise<ApiClient> {
    let url: URL;
    try {
      url = new URL(flags.server);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    } catch {
      throw new CliError(`${command}: --server must be an http(s) URL such as ${DEFAULT_SERVER}, got "${flags.server}"`);
    }
    return new ApiClient(command, url.href, flags.token ?? (process.env.BATON_TOKEN || (await tokenFromStateDir(command, flags.stateDir))));
  }

  /** Calls one route of the REST contract: JSON answers parsed, text/plain ones as text, 204 as undefined. */
  async call<K extends ApiRoute>(route: K, ...[input]: ApiArgs<K>): Promise<ApiAnswer<K>> {
    const method = apiMethod(route);
    const body = method === 'GET' ? undefined : (input?.body ?? {});
    const res = await this.request(method, apiPath(route, input), body);
    return (await readAnswer(res)) as ApiAnswer<K>;
  }

  /**
   * Follows `GET /api/v1/events` until `signal` aborts or the server ends the
   * stream, calling `onEvent` for each event and `onSubscribed` once the server
   * says every later event will reach this client.
   */
  async followEvents(options: { app?: string; signal: AbortSignal; onEvent: (e: StateEvent) => void; onSubscribed?: () => void }): Promise<void> {
    const res = await this.request('GET', apiPath('GET /events', { query: { app: options.app } }), undefined, options.signal);
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (block.startsWith(': subscribed')) options.onSubscribed?.();
          else if (data && !/^event: ?error$/m.test(block)) options.onEvent(JSON.parse(data) as StateEvent);
          else if (data) throw new CliError(`${this.command}: the event stream failed: ${(JSON.parse(data) as { message: string }).message}`);
        }
      }
    } catch (err) {
      if (options.signal.aborted) return;
      throw err;
    }
  }

  private async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      throw this.connectError(err);
    }
    if (res.ok) return res;
    const text = await res.text();
    let answer: Partial<ApiErrorBody> = {};
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {}
    const message = answer.message ?? (text.trim() || res.statusText);
    const hint = res.status === 401 ? ' (check --token, $BATON_TOKEN or <state-dir>/api-token)' : '';
    throw new ApiRequestError(res.status, answer.error ?? `HTTP${res.status}`, `${this.command}: ${message}${hint}`);
  }

  private connectError(err: unknown): Error {
    if ((err as Error).name === 'AbortError') return err as Error;
    const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
    const code = cause?.code ?? (cause as { errors?: NodeJS.ErrnoException[] } | undefined)?.errors?.[0]?.code;
    const why =
      code === 'ECONNREFUSED'
        ? 'connection refused; is `baton up` running there? (--server)'
        : code === 'ENOTFOUND'
          ? 'no such host (--server)'
          : (cause?.message ?? (err as Error).message);
    return new CliError(`${this.command}: cannot reach the baton API at ${this.base}: ${why}`);
  }
}

function readAnswer(res: Response): Promise<unknown> {
  if (res.status === 204) return Promise.resolve(undefined);
  return res.headers.get('content-type')?.startsWith('text/plain') ? res.text() : res.json();
}

async function tokenFromStateDir(command: string, stateDir: string): Promise<string> {
  const file = join(stateDir, 'api-token');
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token) return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new CliError(`${command}: cannot read ${file}: ${(err as Error).message}`);
  }
  throw new CliError(`${command}: no API token: pass --token, set BATON_TOKEN, or point --state-dir at the directory \`baton up\` uses (${file} is missing or empty)`);
}

/** Prints `data` as JSON, or as the table (or text) `table` makes of it. */
export function printResult<T>(flags: Pick<ClientFlags, 'output'>, data: T, table: (data: T) => string): void {
  const text = flags.output === 'json' ? JSON.stringify(data, null, 2) : table(data);
  if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Columns padded to their widest cell, two spaces apart, as kubectl prints them. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** A commit id as people read it. */
export function shortRev(revision: string | null | undefined): string {
  return shortRevision(revision, '-');
}

/** An ISO time as "how long ago", for tables. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** The first line of a message, cut to `max` characters. */
export function firstLine(text: string | null | undefined, max = 80): string {
  const line = (text ?? '').split('\n')[0];
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
