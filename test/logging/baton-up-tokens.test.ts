import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../controller/state/state-store.js';
import { describeApps, startBaton, stateOf, type BatonProcess } from '../e2e/support/baton-process.js';
import { git } from '../support/git-http-server.js';
import { waitFor } from '../support/wait.js';

// A real `baton up --readers-see-logs=false` runs a pod that prints both API tokens, the runtime's
// admin token, a Git token from BATON_GIT_TOKEN and its own ServiceAccount token; then a revision of it that never gets ready is
// rolled back, its log quoted in the failure. No token reaches baton's log, the app's message or
// history, the event stream, or the logs route; the read-only token gets no logs at all.

const tokens = { deploy: `deploy-${randomBytes(16).toString('hex')}`, readonly: `ro-${randomBytes(16).toString('hex')}`, runtime: randomBytes(32).toString('hex'), git: `ghp_${randomBytes(16).toString('hex')}` };
const all = Object.values(tokens);

const SERVER = `
const http = require('http');
for (const t of process.env.LEAK.split(',')) console.log('token ' + t + ' b64 ' + Buffer.from(t).toString('base64'));
const sa = require('fs').readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/token', 'utf8');
console.log('satoken ' + sa + ' b64 ' + Buffer.from(sa).toString('base64'));
const server = http.createServer((req, res) => {
  if (req.url === '/ready') { res.statusCode = process.env.BROKEN ? 503 : 200; return res.end(); }
  res.end('ok');
}).listen(Number(process.env.PORT), process.env.POD_IP);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

function manifest(broken: boolean): string {
  const env = [{ name: 'LEAK', value: all.join(',') }, ...(broken ? [{ name: 'BROKEN', value: '1' }] : [])];
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'leaky' },
    spec: {
      replicas: 1,
      progressDeadlineSeconds: 8,
      selector: { matchLabels: { app: 'leaky' } },
      template: {
        metadata: { labels: { app: 'leaky' } },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [{ name: 'leaky', image: 'leaky:1', command: [process.execPath, '-e', SERVER], env, ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 } }],
        },
      },
    },
  });
}

/** The pod's ServiceAccount token (a JWT minted for it) and its base64: no list of values can name it ahead. */
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+|ZXlK[A-Za-z0-9+/]{40,}/g;

function leaks(text: string): string[] {
  const known = all.flatMap((t) => [t, Buffer.from(t).toString('base64').replace(/=+$/, '')]).filter((form) => text.includes(form));
  return [...known, ...(text.match(JWT) ?? [])];
}

let dir: string;
let repo: string;
let baton: BatonProcess;
let state: StateStore;
let api: string;
const tail = () => baton.output().split('\n').slice(-30).join('\n');

beforeAll(async () => {
  dir = await mkdtemp('/tmp/baton-tokens-');
  // Tokens made ahead, so the repository can hold them (baton keeps a token file it finds).
  await writeFile(join(dir, 'api-token'), `${tokens.deploy}\n`, { mode: 0o600 });
  await writeFile(join(dir, 'api-token-readonly'), `${tokens.readonly}\n`, { mode: 0o600 });
  await writeFile(join(dir, 'runtime-token'), `${tokens.runtime}\n`, { mode: 0o600 });
  repo = join(dir, 'repo');
  await mkdir(join(repo, 'apps/leaky'), { recursive: true });
  await git(repo, 'init', '-q', '-b', 'main');
  await writeFile(join(repo, 'baton.yaml'), 'apps:\n  - name: leaky\n    path: apps/leaky\n    rollout: { progressDeadlineSeconds: 30 }\n');
  await writeFile(join(repo, 'apps/leaky/leaky.yaml'), manifest(false));
  await git(repo, 'add', '.');
  await git(repo, 'commit', '-qm', 'leaky');
  baton = startBaton(
    ['up', '--default-runtime-class', 'process', '--repo', repo, '--state-dir', dir, '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--interval', '1s', '--stop-pods', '--readers-see-logs=false'],
    { BATON_GIT_TOKEN: tokens.git },
  );
  api = await baton.waitFor(/API:\s+(http\S+)/);
  state = stateOf(dir);
}, 240_000);

afterAll(async () => {
  await state?.close();
  await baton?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

const get = async (path: string, token: string) => {
  const res = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
};

describe('baton up: tokens a pod prints go nowhere', () => {
  it('censors them in logs, messages, history and events, and keeps logs from the read-only token', { timeout: 600_000 }, async () => {
    await waitFor('leaky Synced and Healthy', async () => {
      const app = await state.getApp('leaky');
      return app?.syncStatus === 'Synced' && app.health === 'Healthy';
    }, { timeoutMs: 240_000, intervalMs: 250, describe: tail });
    const logs = await waitFor('the pod to print its tokens', async () => {
      const res = await get('/apps/leaky/logs', tokens.deploy);
      return res.status === 200 && res.text.includes('token ') ? res : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250, describe: tail });
    expect(logs.text).toContain('token [REDACTED] b64 [REDACTED]');
    expect(logs.text).toContain('satoken [REDACTED] b64 [REDACTED]');
    expect(leaks(logs.text)).toEqual([]);
    const denied = await get('/apps/leaky/logs', tokens.readonly);
    expect(denied.status).toBe(403);
    expect(denied.text).toMatch(/--readers-see-logs=false/);

    await writeFile(join(repo, 'apps/leaky/leaky.yaml'), manifest(true));
    await git(repo, 'commit', '-qam', 'leaky: never ready');
    const broken = await git(repo, 'rev-parse', 'HEAD');
    const app = await waitFor('the broken revision rolled back', async () => {
      const a = await state.getApp('leaky');
      return a?.lastFailedRevision === broken && a.message.includes('rolled back') && a;
    }, { timeoutMs: 240_000, intervalMs: 250, describe: async () => `${describeApps(await state.listApps())}\n${tail()}` });
    expect(app.message).toContain('token [REDACTED]');

    const answers = [
      JSON.stringify(app),
      JSON.stringify(await state.getHistory('leaky')),
      JSON.stringify(await state.readEvents()),
      (await get('/apps/leaky', tokens.readonly)).text,
      (await get('/apps/leaky/history', tokens.readonly)).text,
      (await get('/apps', tokens.readonly)).text,
      baton.output(),
    ];
    for (const text of answers) expect(leaks(text)).toEqual([]);
  });
});
