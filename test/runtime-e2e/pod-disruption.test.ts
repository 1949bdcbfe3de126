import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, kubeletPids, kubectlOk, listPods, serviceAddress, startE2eRuntime, waitAllReady, type RuntimeProcess } from './support/e2e-runtime.js';
import { describeLoad, LoadClient } from './support/load-client.js';
import { randomPort, webAppManifest } from './support/web-app.js';
import { sleep, waitFor } from '../support/wait.js';

const marker = `disrupt-${randomBytes(4).toString('hex')}`;
const namespace = `e2e-${marker}`;
// Counts, not durations: a busy machine disrupts as many pods as an idle one.
const DELETES = 8;
const KILLS = 4;
const CONCURRENCY = 4;
let rt: RuntimeProcess;

beforeAll(async () => {
  rt = await startE2eRuntime();
  await kubectlOk(rt.kubeconfig, ['create', 'namespace', namespace]);
  await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], webAppManifest({ name: 'web', namespace, marker, version: 'v1', containerPort: randomPort(), servicePort: randomPort() }));
  await kubectlOk(rt.kubeconfig, ['-n', namespace, 'rollout', 'status', 'deployment/web', '--timeout=180s']);
}, 300_000);

afterAll(async () => {
  const leaked = await cleanUp(rt, namespace, marker);
  expect(leaked, 'pod processes left after deleting the namespace').toBe(0);
}, 300_000);

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];

describe('pods disrupted under load behind a Service', () => {
  it('graceful deletes fail no request; SIGKILLs fail at most the requests in flight; every pod comes back Ready', { timeout: 600_000 }, async () => {
    const service = await serviceAddress(rt, namespace, 'web');
    await waitAllReady(rt, namespace, 'app=web', 3);

    // kubectl delete pod: out of the endpoints first, then SIGTERM, and the server drains.
    let load = new LoadClient({ ...service, concurrency: CONCURRENCY });
    let deleted = 0;
    while (deleted < DELETES) {
      const victim = pick(await waitAllReady(rt, namespace, 'app=web', 3));
      await kubectlOk(rt.kubeconfig, ['-n', namespace, 'delete', 'pod', victim.name]);
      deleted++;
    }
    await waitAllReady(rt, namespace, 'app=web', 3);
    const graceful = await load.stop();
    console.log(describeLoad(`${deleted} pods deleted with kubectl`, graceful));
    expect(deleted).toBeGreaterThan(0);
    expect(graceful.failed, describeLoad('graceful deletes', graceful)).toBe(0);

    // SIGKILL a pod's processes (as a crash or the OOM killer would): only what was in flight may fail.
    load = new LoadClient({ ...service, concurrency: CONCURRENCY, retryStaleKeepAlive: false });
    const killed = new Set<string>();
    let kills = 0;
    while (kills < KILLS) {
      // Keep a Ready pod besides the victim, so a failure can only be a request the victim held.
      const ready = await waitFor('two Ready pods', async () => {
        const pods = (await listPods(rt, namespace, 'app=web')).filter((p) => p.ready && !p.terminating);
        return pods.length >= 2 ? pods : false;
      }, { timeoutMs: 120_000, intervalMs: 500 });
      const victim = pick(ready);
      const pid = (await kubeletPids(rt.stateDir, namespace)).get(victim.name);
      if (!pid) continue;
      process.kill(-pid, 'SIGKILL');
      kills++;
      killed.add(victim.name);
      await sleep(2000);
    }
    const pods = await waitAllReady(rt, namespace, 'app=web', 3, 600_000);
    const crashed = await load.stop();
    console.log(describeLoad(`${kills} SIGKILLs of pod processes`, crashed));
    expect(kills).toBeGreaterThan(0);
    expect(crashed.failed, describeLoad('SIGKILLs', crashed)).toBeLessThanOrEqual(kills * CONCURRENCY);
    // A failure is a request already on a connection to the killed pod, never a new connection sent to it.
    expect(crashed.errors.filter((e) => e.includes('(new connection)'))).toEqual([]);
    for (const pod of pods.filter((p) => killed.has(p.name))) expect(pod.restarts).toBeGreaterThan(0);
  });
});
