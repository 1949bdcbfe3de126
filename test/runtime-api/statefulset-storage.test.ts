import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess;
const ns = `sts-${process.pid}`;
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, ['-n', ns, ...args]);

beforeAll(async () => {
  rt = await startRuntimeProcess();
  await kubectlOk(rt.kubeconfig, ['create', 'namespace', ns]);
}, 90_000);

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

// Each pod notes its name in its claim at start; readiness comes a second later, so order can be seen.
const manifest = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${ns}
spec:
  clusterIP: None
  selector:
    app: web
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
  namespace: ${ns}
spec:
  serviceName: web
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        command: [sh, -c, 'echo "started $POD_NAME" >> /tmp/data/log; exec sleep 3600']
        env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        readinessProbe:
          exec:
            command: ['true']
          initialDelaySeconds: 1
          periodSeconds: 1
        volumeMounts:
        - name: data
          mountPath: /tmp/data
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
`;

async function podJson(name: string): Promise<any | undefined> {
  const r = await kubectl(rt.kubeconfig, ['-n', ns, 'get', 'pod', name, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

const isReady = (pod: any) => pod?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');

/** Waits until pod `name` is Ready and, when given, is not the pod of uid `notUid`. */
async function readyPod(name: string, notUid?: string): Promise<any> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const pod = await podJson(name);
    if (isReady(pod) && pod.metadata.uid !== notUid && !pod.metadata.deletionTimestamp) return pod;
    if (Date.now() > deadline) throw new Error(`pod ${name} not ready: ${JSON.stringify(pod?.status)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('StatefulSet with local-path volumes, through kubectl and process pods', () => {
  it('starts web-0, then web-1 once web-0 is ready, each with its own bound claim', async () => {
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifest);
    expect(await k('rollout', 'status', 'statefulset/web', '--timeout=60s')).toContain('roll out complete');
    const web0 = await podJson('web-0');
    const web1 = await podJson('web-1');
    const web0Ready = web0.status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime;
    expect(Date.parse(web1.metadata.creationTimestamp)).toBeGreaterThanOrEqual(Date.parse(web0Ready));
    expect(web0.spec).toMatchObject({ hostname: 'web-0', subdomain: 'web' });
    expect(web1.metadata.labels).toMatchObject({ 'statefulset.kubernetes.io/pod-name': 'web-1', 'apps.kubernetes.io/pod-index': '1' });
    const sts = JSON.parse(await k('get', 'statefulset', 'web', '-o', 'json'));
    expect(sts.status).toMatchObject({ replicas: 2, readyReplicas: 2, updatedReplicas: 2, currentRevision: sts.status.updateRevision });
    expect(web0.metadata.labels['controller-revision-hash']).toBe(sts.status.updateRevision);
    expect((await k('get', 'statefulset', 'web')).split('\n')[1]).toMatch(/^web\s+2\/2\s/);

    const claims = JSON.parse(await k('get', 'pvc', '-o', 'json')).items;
    expect(claims.map((c: any) => [c.metadata.name, c.status.phase, c.spec.storageClassName])).toEqual([
      ['data-web-0', 'Bound', 'standard'],
      ['data-web-1', 'Bound', 'standard'],
    ]);
    expect(await k('exec', 'web-1', '--', 'cat', '/tmp/data/log')).toBe('started web-1\n');
  });

  it('keeps what web-0 wrote to its claim across deleting the pod and restarting the runtime', async () => {
    await k('exec', 'web-0', '--', 'sh', '-c', 'echo kept > /tmp/data/file');
    const before = await podJson('web-0');
    await k('delete', 'pod', 'web-0', '--wait=false');
    await readyPod('web-0', before.metadata.uid);
    expect(await k('exec', 'web-0', '--', 'cat', '/tmp/data/file')).toBe('kept\n');

    const stateDir = rt.stateDir;
    await rt.stop();
    rt = await startRuntimeProcess(stateDir);
    await readyPod('web-0');
    expect(await k('exec', 'web-0', '--', 'cat', '/tmp/data/file')).toBe('kept\n');
    expect(await k('exec', 'web-0', '--', 'cat', '/tmp/data/log')).toMatch(/^(started web-0\n){2,}$/);
  }, 90_000);

  it('scales down from the highest ordinal and keeps its claim; kubectl prints claims, volumes and classes', async () => {
    await k('scale', 'statefulset/web', '--replicas=1');
    const deadline = Date.now() + 30_000;
    while ((await podJson('web-1')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
    expect(await podJson('web-1')).toBeUndefined();
    expect(await podJson('web-0')).toBeDefined();

    const [sc, pv, pvc] = [await kubectlOk(rt.kubeconfig, ['get', 'sc']), await kubectlOk(rt.kubeconfig, ['get', 'pv']), await k('get', 'pvc')];
    expect(sc).toMatch(/^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE/);
    expect(sc).toMatch(/^standard \(default\)\s+baton\.dev\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s/m);
    expect(pvc).toMatch(/^data-web-0\s+Bound\s+pvc-\S+\s+1Gi\s+RWO\s+standard\s/m);
    expect(pvc).toMatch(/^data-web-1\s+Bound\s+pvc-\S+\s+1Gi\s+RWO\s+standard\s/m);
    expect(pv).toMatch(new RegExp(`^pvc-\\S+\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+${ns}/data-web-1\\s+standard\\s`, 'm'));

    // A claim a running pod uses is held (pvc-protection): Terminating, its data still there.
    await k('delete', 'pvc', 'data-web-0', '--wait=false');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await k('get', 'pvc', 'data-web-0')).toMatch(/^data-web-0\s+Terminating\s/m);
    expect(await k('exec', 'web-0', '--', 'cat', '/tmp/data/file')).toBe('kept\n');

    // With reclaimPolicy Delete, deleting the claim deletes its volume and directory.
    const volume = JSON.parse(await k('get', 'pvc', 'data-web-1', '-o', 'json')).spec.volumeName;
    const dir = join(rt.stateDir, 'volumes', volume);
    expect(existsSync(dir)).toBe(true);
    await k('delete', 'pvc', 'data-web-1');
    const volumeGone = async () => !existsSync(dir) && (await kubectl(rt.kubeconfig, ['get', 'pv', volume])).stderr.includes('NotFound');
    const gone = Date.now() + 15_000;
    while (!(await volumeGone()) && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(dir)).toBe(false);
    expect((await kubectl(rt.kubeconfig, ['get', 'pv', volume])).stderr).toContain('NotFound');
  });

  it('Parallel starts every pod at once; whenScaled: Delete removes a scaled-away claim', async () => {
    const cache = manifest
      .split('---\n')[1]
      .replaceAll('name: web', 'name: cache')
      .replaceAll('app: web', 'app: cache')
      .replace('serviceName: web', 'serviceName: cache\n  podManagementPolicy: Parallel\n  persistentVolumeClaimRetentionPolicy:\n    whenScaled: Delete');
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], cache);
    await k('rollout', 'status', 'statefulset/cache', '--timeout=60s');
    // cache-1 was made before cache-0 could be ready (readiness takes a second at least).
    const [cache0, cache1] = [await podJson('cache-0'), await podJson('cache-1')];
    const cache0Ready = cache0.status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime;
    expect(Date.parse(cache1.metadata.creationTimestamp)).toBeLessThan(Date.parse(cache0Ready));
    await k('scale', 'statefulset/cache', '--replicas=1');
    const deadline = Date.now() + 30_000;
    while ((await kubectl(rt.kubeconfig, ['-n', ns, 'get', 'pvc', 'data-cache-1'])).code === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
    expect((await kubectl(rt.kubeconfig, ['-n', ns, 'get', 'pvc', 'data-cache-1'])).stderr).toContain('NotFound');
    expect(await k('get', 'pvc', 'data-cache-0', '-o', 'jsonpath={.status.phase}')).toBe('Bound');
  });
});
