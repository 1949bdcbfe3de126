import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubernetesObject, V1Deployment, V1Service } from '@kubernetes/client-node';
import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObjects, planApplyPrune, type ApplyApp } from '../../controller/apply/apply-objects.js';
import { ClusterRequestError } from '../../controller/clusters/cluster-request-error.js';
import { ObjectRejectedError } from '../../controller/clusters/object-rejected-error.js';
import { rollbackTo } from '../../controller/apply/rollback.js';
import { clusterTargetFromKubeconfig, clusterTargets } from '../../controller/clusters/cluster-target.js';
import { assessHealth } from '../../controller/health/assess-health.js';
import { waitForHealthy } from '../../controller/health/wait-for-healthy.js';
import { startHarness, keepRequesting, outcome, randomPort, webApp, type Harness } from './apply-harness.js';

let h: Harness;
let seq = 0;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

function newApp(prune = true): ApplyApp & { rollout: { progressDeadlineSeconds: number } } {
  const name = `app${process.pid % 1000}-${++seq}`;
  return { name, namespace: name, syncPolicy: { prune }, rollout: { progressDeadlineSeconds: 60 } };
}

function configMap(namespace: string, name: string, data: Record<string, string>): KubernetesObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data } as KubernetesObject;
}

async function exists(o: { apiVersion: string; kind: string; name: string; namespace: string }): Promise<boolean> {
  try {
    await h.target.objects.read({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.name, namespace: o.namespace } });
    return true;
  } catch {
    return false;
  }
}

describe('applyObjects', () => {
  it('creates the namespace, then applies in order; a second apply changes nothing; removed objects are pruned only with prune', async () => {
    const app = newApp(false);
    const [deployment, service] = webApp({ namespace: app.namespace, name: 'web', version: 'v1', port: randomPort(), replicas: 1 });
    const settings = configMap(app.namespace, 'settings', { greeting: 'hello' });

    const first = await applyObjects({ target: h.target, app, objects: [deployment, service, settings] });
    expect(first.map((r) => `${r.kind} ${r.name} ${r.action}`)).toEqual([
      `Namespace ${app.namespace} created`,
      'ConfigMap settings created',
      'Service web created',
      'Deployment web created',
    ]);

    const again = await applyObjects({ target: h.target, app, objects: [deployment, service, settings] });
    expect(again.map((r) => `${r.kind} ${r.name} ${r.action}`)).toEqual(['ConfigMap settings unchanged', 'Service web unchanged', 'Deployment web unchanged']);

    const changed = await applyObjects({ target: h.target, app, objects: [deployment, service, configMap(app.namespace, 'settings', { greeting: 'hi' })] });
    expect(changed.find((r) => r.kind === 'ConfigMap')?.action).toBe('configured');

    // The app's policy says no pruning: the ConfigMap stays though it is no longer rendered.
    const kept = await applyObjects({ target: h.target, app, objects: [deployment, service] });
    expect(kept.some((r) => r.action === 'pruned')).toBe(false);
    expect(await exists({ apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: app.namespace })).toBe(true);

    const health = await waitForHealthy({ target: h.target, objects: [deployment, service], deadlineSeconds: 60 });
    expect(outcome(health)).toBe('healthy');

    // What the prune guard reads first: the app's own live objects (not the Deployment's ReplicaSets and Pods), and what would go.
    const plan = await planApplyPrune({ target: h.target, app, objects: [deployment] });
    expect(plan.live).toBe(3);
    expect(plan.prune.map((o) => `${o.kind} ${o.name}`).sort()).toEqual(['ConfigMap settings', 'Service web']);
    expect(await exists({ apiVersion: 'v1', kind: 'Service', name: 'web', namespace: app.namespace })).toBe(true);

    const pruned = await applyObjects({ target: h.target, app: { ...app, syncPolicy: { prune: true } }, objects: [deployment] });
    expect(pruned.filter((r) => r.action === 'pruned').map((r) => `${r.kind} ${r.name}`).sort()).toEqual(['ConfigMap settings', 'Service web']);
    expect(await exists({ apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: app.namespace })).toBe(false);
    expect(await exists({ apiVersion: 'v1', kind: 'Service', name: 'web', namespace: app.namespace })).toBe(false);
    // Pods and ReplicaSets carry the app's labels too, but belong to the Deployment: not pruned.
    expect(await assessHealth(h.target, [deployment])).toBe('Healthy');
    expect(await assessHealth(h.target, [deployment, service])).toBe('Missing');
  });

  it('an object the API refuses stops the sync with an unrecoverable error naming it and the API message', async () => {
    const app = newApp();
    const bad = webApp({ namespace: app.namespace, name: 'bad', version: 'v1', port: randomPort() })[0] as V1Deployment;
    bad.spec!.template.spec!.containers[0].name = 'Not_A_Label';
    const ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'late', namespace: app.namespace },
      spec: { rules: [{ host: 'late.localhost', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'bad', port: { number: 80 } } } }] } }] },
    } as KubernetesObject;
    const error = await applyObjects({ target: h.target, app, objects: [ingress, bad] }).then(
      () => undefined,
      (e) => e,
    );
    expect(error).toBeInstanceOf(ObjectRejectedError);
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect(error.data).toMatchObject({ kind: 'Deployment', namespace: app.namespace, name: 'bad', status: 422 });
    expect(error.message).toContain(`Deployment ${app.namespace}/bad`);
    expect(error.message).toContain('Not_A_Label');
    // Stopped at the failing object: what comes after it in order was not applied.
    expect(await exists({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'late', namespace: app.namespace })).toBe(false);
  });

  it('a cluster named by a kubeconfig context is reached the same way as local', async () => {
    const file = join(h.dir, 'user-kubeconfig');
    await writeFile(file, (await readFile(h.runtime.kubeconfigPath, 'utf8')).replaceAll('baton', 'staging'));
    const target = clusterTargets({ stateDir: join(h.dir, 'elsewhere'), kubeconfig: file }).get('staging');
    const app = newApp();
    const applied = await applyObjects({ target, app, objects: [configMap(app.namespace, 'settings', { a: 'b' })] });
    expect(applied.map((r) => `${r.kind} ${r.action}`)).toEqual(['Namespace created', 'ConfigMap created']);
    expect(await assessHealth(target, [configMap(app.namespace, 'settings', {})])).toBe('Healthy');
  });

  it('a cluster that does not answer is a retryable error', async () => {
    const dead = join(h.dir, 'dead-kubeconfig');
    const text = await readFile(h.runtime.kubeconfigPath, 'utf8');
    await writeFile(dead, text.replace(/server: https:\/\/127\.0\.0\.1:\d+/, 'server: https://127.0.0.1:1'));
    const target = clusterTargetFromKubeconfig(dead, { name: 'dead' });
    const error = await applyObjects({ target, app: newApp(), objects: [] }).then(
      () => undefined,
      (e) => e,
    );
    expect(error).toBeInstanceOf(ClusterRequestError);
    expect(error).not.toBeInstanceOf(UnrecoverableError);
    expect(error.code).toBe('UNREACHABLE');
  });
});

describe('health gate and rollback', () => {
  it('a release whose readiness never passes fails the gate naming the probe while the old pods keep serving; rollback restores it', async () => {
    const app = newApp();
    const port = randomPort();
    const v1 = webApp({ namespace: app.namespace, name: 'shop', version: 'v1', port });
    await applyObjects({ target: h.target, app, objects: v1 });
    expect(outcome(await waitForHealthy({ target: h.target, objects: v1, deadlineSeconds: 60 }))).toBe('healthy');
    expect(await assessHealth(h.target, v1)).toBe('Healthy');

    const service = (await h.target.objects.read({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop', namespace: app.namespace } })) as V1Service;
    const load = keepRequesting(`http://${service.spec!.clusterIP}:80/`);
    try {
      const v2 = webApp({ namespace: app.namespace, name: 'shop', version: 'v2', port, broken: true });
      await applyObjects({ target: h.target, app, objects: v2 });
      const progress: string[] = [];
      const gate = await waitForHealthy({ target: h.target, objects: v2, deadlineSeconds: 6, onProgress: (w) => progress.push(w.message) });
      expect(gate.healthy).toBe(false);
      if (gate.healthy) return;
      expect(gate.reason).toContain(`Deployment ${app.namespace}/shop did not become healthy within 6s`);
      expect(gate.reason).toMatch(/pod shop-[a-z0-9]+-[a-z0-9]+: container web is running but not ready: Readiness probe failed: HTTP probe failed with statuscode: 503/);
      expect(gate.problems[0].pods[0]).toMatchObject({ container: 'web', cause: 'ReadinessProbe' });
      expect(progress.length).toBeGreaterThan(0);
      expect(await assessHealth(h.target, v2)).toBe('Progressing');

      const rolledBack = await rollbackTo({ target: h.target, app, manifests: v1 });
      expect(outcome(rolledBack.health)).toBe('healthy');
      const live = (await h.target.objects.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shop', namespace: app.namespace } })) as V1Deployment;
      expect(live.spec!.template.spec!.containers[0].env).toEqual([{ name: 'VERSION', value: 'v1' }]);
      expect(await assessHealth(h.target, v1)).toBe('Healthy');
    } finally {
      const { ok, failed } = await load.stop();
      expect(failed).toEqual([]);
      expect([...ok.keys()]).toEqual(['v1']);
      expect(ok.get('v1')).toBeGreaterThan(10);
    }
  });

  it('a crashing command fails the gate with its exit code and last log lines', async () => {
    const app = newApp();
    const script = `console.log('starting worker'); console.error('fatal: DATABASE_URL is not set'); process.exit(3);`;
    const objects = webApp({ namespace: app.namespace, name: 'worker', version: 'v1', port: randomPort(), replicas: 1, script });
    await applyObjects({ target: h.target, app, objects });
    const gate = await waitForHealthy({ target: h.target, objects, deadlineSeconds: 5 });
    expect(gate.healthy).toBe(false);
    if (gate.healthy) return;
    expect(gate.reason).toMatch(/container web is crash-looping \(CrashLoopBackOff\): last exit code 3/);
    expect(gate.reason).toContain('fatal: DATABASE_URL is not set');
    expect(gate.reason).toContain('starting worker');
    expect(gate.problems[0].pods[0]).toMatchObject({ cause: 'CrashLoopBackOff', exitCode: 3 });

    // A sync abandoned mid-gate (worker shutting down) stops waiting at once.
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('worker closing')), 300);
    await expect(waitForHealthy({ target: h.target, objects, deadlineSeconds: 60, signal: controller.signal })).rejects.toThrow('worker closing');
  });
});
