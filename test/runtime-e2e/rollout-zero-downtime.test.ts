import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp, kubectl, kubectlOk, listPods, serviceAddress, startE2eRuntime, waitAllReady, type RuntimeProcess } from './support/e2e-runtime.js';
import { describeLoad, LoadClient } from './support/load-client.js';
import { randomPort, webAppManifest } from './support/web-app.js';
import { waitFor } from '../support/wait.js';

const marker = `rollout-${randomBytes(4).toString('hex')}`;
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

const run = (...args: string[]) => kubectlOk(rt.kubeconfig, ['-n', namespace, ...args]);

/** Waits until the client has had `n` more answers, so each phase really ran under load. */
async function moreAnswers(load: LoadClient, n: number): Promise<void> {
  const target = load.result.ok + n;
  await waitFor(`${n} more answers`, async () => load.result.ok >= target, { timeoutMs: 60_000, intervalMs: 500 });
}

describe('the built-in runtime rolls out a Deployment with kubectl and no failed request', () => {
  it('rollout, zero-downtime update, a release that never gets ready, undo', { timeout: 600_000 }, async () => {
    const manifest = webAppManifest({ name: 'web', namespace, marker, version: 'v1', containerPort: randomPort(), servicePort: randomPort(), progressDeadlineSeconds: 20 });
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifest);
    expect(await run('rollout', 'status', 'deployment/web', '--timeout=180s')).toContain('deployment "web" successfully rolled out');
    await waitAllReady(rt, namespace, 'app=web', 3);

    const service = await serviceAddress(rt, namespace, 'web');
    expect(service.host).toMatch(/^127\.2\.\d+\.\d+$/);
    const first = await waitFor('the ClusterIP to answer', async () => {
      const res = await fetch(`http://${service.host}:${service.port}/`, { signal: AbortSignal.timeout(10_000) });
      return res.ok ? res.text() : false;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    expect(first).toBe('v1');

    // A new version under load: every request answered, by v1 and then v2.
    let load = new LoadClient(service);
    await moreAnswers(load, 50);
    await run('set', 'env', 'deployment/web', 'VERSION=v2');
    expect(await run('rollout', 'status', 'deployment/web', '--timeout=180s')).toContain('successfully rolled out');
    await moreAnswers(load, 50);
    let result = await load.stop();
    console.log(describeLoad('rolling update v1 -> v2', result));
    expect(result.failed, describeLoad('rolling update', result)).toBe(0);
    expect(result.bodies.v2).toBeGreaterThan(0);
    expect(Object.keys(result.bodies).sort()).toEqual(['v1', 'v2']);
    expect((await listPods(rt, namespace, 'app=web')).filter((p) => !p.terminating)).toHaveLength(3);

    // v3 never passes readiness: it never gets traffic, v2 keeps serving, the deadline is reported.
    load = new LoadClient(service);
    await moreAnswers(load, 50);
    await run('set', 'env', 'deployment/web', 'VERSION=v3', 'BROKEN=1');
    const stuck = await kubectl(rt.kubeconfig, ['-n', namespace, 'rollout', 'status', 'deployment/web', '--timeout=180s']);
    expect(stuck.code).not.toBe(0);
    expect(stuck.stderr).toContain('deployment "web" exceeded its progress deadline');
    const progressing = JSON.parse(await run('get', 'deployment/web', '-o', 'json')).status.conditions.find((c: any) => c.type === 'Progressing');
    expect(progressing).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    await moreAnswers(load, 50);

    await run('rollout', 'undo', 'deployment/web');
    expect(await run('rollout', 'status', 'deployment/web', '--timeout=180s')).toContain('successfully rolled out');
    await moreAnswers(load, 50);
    result = await load.stop();
    console.log(describeLoad('stuck v3 release, then undo', result));
    expect(result.failed, describeLoad('stuck release', result)).toBe(0);
    expect(Object.keys(result.bodies)).toEqual(['v2']);

    const pods = await waitAllReady(rt, namespace, 'app=web', 3);
    const env = JSON.parse(await run('get', 'deployment/web', '-o', 'json')).spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([{ name: 'VERSION', value: 'v2' }]));
    expect(env.some((e: any) => e.name === 'BROKEN')).toBe(false);
    expect(pods.every((p) => p.ready)).toBe(true);
  });
});
