import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { createControllerApi } from '../../controller/edges/api/create-controller-api.js';
import { TokenStore } from '../../controller/edges/api/token-store.js';
import type { ControllerApiDeps } from '../../controller/edges/api/api-deps.js';
import { SyncQueue } from '../../controller/queue/sync-queue.js';
import { StateStore } from '../../controller/state/state-store.js';
import type { StateEvent } from '../../controller/state/state-event.js';
import { runBaton, type CliRun } from '../support/baton-cli.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

export interface ApiHarness {
  url: string;
  redis: TestRedis;
  state: StateStore;
  queue: SyncQueue;
  tokens: TokenStore;
  stateDir: string;
  deploy: string;
  readonly: string;
  /** A JSON request; `token` defaults to the deploy token (null: none). */
  call(method: string, path: string, options?: { token?: string | null; body?: unknown; raw?: string; contentType?: string }): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  close(): Promise<void>;
}

/** Real Redis, StateStore, SyncQueue and the API router on 127.0.0.1:0. */
export async function startApi(extra: Partial<ControllerApiDeps> = {}): Promise<ApiHarness> {
  const redis = await startTestRedis();
  const stateDir = await mkdtemp(join(tmpdir(), 'baton-api-'));
  const state = new StateStore({ redisUrl: redis.url });
  const queue = new SyncQueue({ redisUrl: redis.url });
  const tokens = await TokenStore.loadOrCreate(stateDir);
  const app = express();
  app.use(createControllerApi({ state, queue, tokens, heartbeatMs: 200, ...extra }));
  const server: Server = await new Promise((done) => {
    const s = app.listen(0, '127.0.0.1', () => done(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    redis,
    state,
    queue,
    tokens,
    stateDir,
    deploy: tokens.tokens.deploy,
    readonly: tokens.tokens.readonly,
    async call(method, path, options = {}) {
      const token = options.token === undefined ? tokens.tokens.deploy : options.token;
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (options.raw !== undefined) body = options.raw;
      else if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      await Promise.all([state.close(), queue.close()]);
      await redis.cleanup();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** An app with one healthy sync of `revision` recorded (its manifests include a Secret). */
export async function seedApp(state: StateStore, name: string, revisions: string[], options: { namespace?: string } = {}): Promise<void> {
  const namespace = options.namespace ?? name;
  await state.ensureApp({ name, namespace, cluster: 'local' });
  for (const revision of revisions) {
    const now = new Date().toISOString();
    await state.recordSync(name, {
      entry: { revision, digest: `sha256:${revision}`, result: 'Succeeded', startedAt: now, finishedAt: now, durationMs: 1200, trigger: 'poll', message: `${revision.slice(0, 7)} is Healthy` },
      status: { revision, observedRevision: revision, manifestDigest: `sha256:${revision}`, syncStatus: 'Synced', health: 'Healthy', message: '', lastSync: now },
      healthy: { revision, digest: `sha256:${revision}`, objects: [secretObject(namespace, SECRET_VALUE)] },
    });
  }
}

/** A value kept in a Secret of seeded apps; no API answer may contain it (invariant 5). */
export const SECRET_VALUE = 'hunter2-do-not-show';

export function secretObject(namespace: string, password: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace, labels: { 'app.kubernetes.io/managed-by': 'baton', 'baton.dev/app': namespace } },
    stringData: { password },
  };
}

export const rev = (c: string) => c.repeat(40);

/** Reads server-sent events from `path` until closed. */
export async function openEvents(url: string, token: string, options: { lastEventId?: string; query?: string } = {}) {
  const abort = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (options.lastEventId) headers['last-event-id'] = options.lastEventId;
  const res = await fetch(`${url}/api/v1/events${options.query ?? ''}`, { headers, signal: abort.signal });
  const events: StateEvent[] = [];
  const comments: string[] = [];
  let onChange = () => {};
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) events.push(JSON.parse(data.slice(6)) as StateEvent);
          else if (block.startsWith(':')) comments.push(block.slice(1).trim());
          onChange();
        }
      }
    } catch {}
  })();
  async function until<T>(what: string, check: () => T | undefined, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; events so far: ${JSON.stringify(events)}`);
      await new Promise<void>((r) => {
        onChange = r;
        setTimeout(r, 100);
      });
    }
  }
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    events,
    comments,
    until,
    subscribed: () => until('the subscribed comment', () => (comments.includes('subscribed') ? true : undefined)),
    async close() {
      abort.abort();
      await reading;
    },
  };
}

/** Runs the real CLI without blocking this process's server, with BATON_TOKEN cleared unless `env` sets it. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runBaton(args, { env: { BATON_TOKEN: '', ...env }, timeoutMs: 300_000 });
}
