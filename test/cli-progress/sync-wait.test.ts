import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../controller/state/state-store.js';
import { describeApps, startBaton, stateOf, type BatonProcess } from '../e2e/support/baton-process.js';
import { runBaton, type CliRun } from '../support/baton-cli.js';
import { git } from '../support/git-http-server.js';
import { waitFor } from '../support/wait.js';

// `baton sync NAME --wait` against a real `baton up`: the rollout as it happens (objects applied,
// pods becoming ready), plain lines in a pipe, a live status line with --progress tty, exit 1 on rollback.

/** Serves `/`; `/ready` fails while BROKEN is set. */
const SERVER = `
const http = require('http');
const server = http.createServer((req, res) => {
  if (req.url === '/ready') { res.statusCode = process.env.BROKEN ? 503 : 200; return res.end(); }
  res.end('ok');
}).listen(Number(process.env.PORT), process.env.POD_IP);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

function deployment(broken: boolean): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 2,
      progressDeadlineSeconds: 8,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: 'web',
              image: 'web:1',
              command: [process.execPath, '-e', SERVER],
              env: broken ? [{ name: 'BROKEN', value: '1' }] : [],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
            },
          ],
        },
      },
    },
  });
}

const BATON_YAML = `apps:
  - name: web
    path: apps/web
    syncPolicy: { automated: false }
    rollout: { progressDeadlineSeconds: 30, autoRollback: true }
`;

let dir: string;
let repo: string;
let baton: BatonProcess;
let state: StateStore;
let server: string;

/** One `baton …` client run: its exit code and output. */
function cli(...args: string[]): Promise<CliRun> {
  return runBaton([...args, '--server', server, '--state-dir', dir], { env: { BATON_TOKEN: '' } });
}

const tail = () => baton.output().split('\n').slice(-30).join('\n');

beforeAll(async () => {
  dir = await mkdtemp('/tmp/baton-cp-');
  repo = join(dir, 'repo');
  await mkdir(join(repo, 'apps/web'), { recursive: true });
  await git(repo, 'init', '-q', '-b', 'main');
  await writeFile(join(repo, 'baton.yaml'), BATON_YAML);
  await writeFile(join(repo, 'apps/web/deployment.yaml'), `${deployment(false)}\n`);
  await git(repo, 'add', '.');
  await git(repo, 'commit', '-qm', 'web');
  baton = startBaton(['up', '--default-runtime-class', 'process', '--repo', repo, '--state-dir', dir, '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--interval', '1s', '--stop-pods']);
  server = (await baton.waitFor(/API:\s+(http\S+)/)).replace(/\/api\/v1$/, '');
  state = stateOf(dir);
  await waitFor('web to be registered', async () => (await state.getApp('web')) !== undefined, { timeoutMs: 120_000, intervalMs: 250, describe: tail });
}, 240_000);

afterAll(async () => {
  await state?.close();
  await baton?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

describe('baton sync --wait', () => {
  it('prints each object applied and the pods becoming ready, one line each when not on a terminal', { timeout: 300_000 }, async () => {
    const r = await cli('sync', 'web', '--wait');
    expect(r.stderr, tail()).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sync of web to [0-9a-f]{7} queued$/m);
    expect(r.stdout).toMatch(/ {2}web {2}syncing to [0-9a-f]{7} \(manual\)$/m);
    expect(r.stdout).toMatch(/ {2}web {2}applied \d+\/\d+: Deployment web\/web \(created\)$/m);
    expect(r.stdout).toMatch(/ {2}web {2}Deployment web\/web: .* \([0-2]\/2 ready\)$/m);
    expect(r.stdout).toMatch(/ {2}web {2}Deployment web\/web is rolled out \(2\/2 ready\)$/m);
    expect(r.stdout).toMatch(/^web is Healthy at [0-9a-f]{7}$/m);
    expect(r.stdout).not.toContain('\x1b');
  });

  it('shows a live status line with --progress tty, the rollback as it happens, and exits 1 when the sync is rolled back', { timeout: 300_000 }, async () => {
    await writeFile(join(repo, 'apps/web/deployment.yaml'), `${deployment(true)}\n`);
    await git(repo, 'commit', '-qam', 'web (broken readiness)');
    const broken = await git(repo, 'rev-parse', 'HEAD');
    await waitFor('baton to see the broken commit', async () => (await state.getApp('web'))?.observedRevision === broken, { timeoutMs: 60_000, intervalMs: 250, describe: async () => describeApps(await state.listApps()) });

    const r = await cli('sync', 'web', '--wait', '--progress', 'tty');
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    expect(r.stderr).toMatch(/^baton sync: web was rolled back: /);
    expect(r.stdout).toContain('\r\x1b[2Krolling out  [');
    expect(r.stdout).toMatch(/rolling out {2}\[[#·]{20}\] \d\/\d pods ready {2}web \d\/2/);
    expect(r.stdout).toContain('rolling back to the last healthy manifests');
    expect(r.stdout).toMatch(/ {2}web {2}rollback: Deployment web\/web is rolled out \(2\/2 ready\)/);
    expect(r.stdout).toMatch(/ {2}web {2}RolledBack at [0-9a-f]{7} after \d+\.\ds: /);

    const history = await cli('history', 'web', '-o', 'json');
    expect(history.code).toBe(0);
    const entries = JSON.parse(history.stdout) as Array<{ result: string; revision: string }>;
    expect(entries.map((e) => e.result)).toEqual(['RolledBack', 'Succeeded']);
    expect(entries[0].revision).toBe(broken);
  });
});
