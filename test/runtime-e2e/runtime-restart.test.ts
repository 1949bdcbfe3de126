import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, kubeletPids, kubectlOk, markedProcesses, serviceAddress, startE2eRuntime, waitAllReady, type RuntimeProcess } from './support/e2e-runtime.js';
import { randomPort, webAppManifest } from './support/web-app.js';
import { sleep, waitFor } from '../support/wait.js';

const marker = `restart-${randomBytes(4).toString('hex')}`;
const namespace = `e2e-${marker}`;
let rt: RuntimeProcess;

beforeAll(async () => {
  rt = await startE2eRuntime();
  await kubectlOk(rt.kubeconfig, ['create', 'namespace', namespace]);
}, 300_000);

afterAll(async () => {
  const leaked = await cleanUp(rt, namespace, marker);
  expect(leaked, 'pod processes left after deleting the namespace').toBe(0);
}, 300_000);

async function answer(service: { host: string; port: number }): Promise<string | false> {
  const res = await fetch(`http://${service.host}:${service.port}/`, { signal: AbortSignal.timeout(10_000) });
  return res.ok ? res.text() : false;
}

/** Pod name → pid, and the pids of every process carrying the pods' environment, sorted for comparison. */
async function snapshot(): Promise<{ pods: Record<string, number>; processes: number[] }> {
  const pods = Object.fromEntries([...(await kubeletPids(rt.stateDir, namespace))].sort());
  const processes = (await markedProcesses(marker)).map((p) => p.pid).sort((a, b) => a - b);
  return { pods, processes };
}

describe('a runtime killed with pods running', () => {
  it('re-adopts the same pods (same names, same pids) on restart, orphans nothing, and its Service still answers', { timeout: 600_000 }, async () => {
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], webAppManifest({ name: 'web', namespace, marker, version: 'v1', containerPort: randomPort(), servicePort: randomPort() }));
    await kubectlOk(rt.kubeconfig, ['-n', namespace, 'rollout', 'status', 'deployment/web', '--timeout=180s']);
    const podsBefore = (await waitAllReady(rt, namespace, 'app=web', 3)).map((p) => p.name).sort();
    const service = await serviceAddress(rt, namespace, 'web');
    expect(await waitFor('the ClusterIP to answer', () => answer(service), { timeoutMs: 120_000, intervalMs: 500 })).toBe('v1');
    const before = await snapshot();
    expect(Object.keys(before.pods).sort()).toEqual(podsBefore);
    // Only each pod's server carries its environment: the sandbox's root helpers never get it.
    expect(before.processes).toHaveLength(3);

    await rt.kill();
    // The pods outlive their runtime.
    expect((await snapshot()).processes).toEqual(before.processes);

    rt = await startE2eRuntime(rt.stateDir);
    expect(await serviceAddress(rt, namespace, 'web')).toEqual(service);
    expect(await waitFor('the ClusterIP to answer again', () => answer(service), { timeoutMs: 120_000, intervalMs: 500 })).toBe('v1');
    const podsAfter = (await waitAllReady(rt, namespace, 'app=web', 3)).map((p) => p.name).sort();
    expect(podsAfter).toEqual(podsBefore);
    await kubectlOk(rt.kubeconfig, ['-n', namespace, 'rollout', 'status', 'deployment/web', '--timeout=180s']);

    // Let the kubelet and controllers run a few resyncs: nothing is restarted, duplicated or left behind.
    for (let i = 0; i < 5; i++) {
      await sleep(2000);
      expect(await snapshot()).toEqual(before);
    }
    expect((await waitAllReady(rt, namespace, 'app=web', 3)).every((p) => p.restarts === 0)).toBe(true);
    expect(await answer(service)).toBe('v1');
  });
});
