import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess;
const ns = `dspdb-${process.pid}`;
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, ['-n', ns, ...args]);

beforeAll(async () => {
  rt = await startRuntimeProcess();
  await kubectlOk(rt.kubeconfig, ['create', 'namespace', ns]);
}, 90_000);

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

const podSpec = `      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']`;

const manifests = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
${podSpec}
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: gpu-agent
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      app: gpu-agent
  template:
    metadata:
      labels:
        app: gpu-agent
    spec:
      nodeSelector:
        accelerator: gpu
${podSpec}
---
apiVersion: v1
kind: ReplicationController
metadata:
  name: web
  namespace: ${ns}
spec:
  replicas: 2
  selector:
    app: web
  template:
    metadata:
      labels:
        app: web
    spec:
${podSpec}
`;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const podsOf = async (app: string) => JSON.parse(await k('get', 'pods', '-l', `app=${app}`, '-o', 'json')).items as any[];
const live = (pods: any[]) => pods.filter((p) => !p.metadata.deletionTimestamp);

function evict(pod: string) {
  const body = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: ns } });
  return apiRequest(rt, 'POST', `/api/v1/namespaces/${ns}/pods/${pod}/eviction`, { body, contentType: 'application/json' });
}

describe('DaemonSet, ReplicationController, PodDisruptionBudget with eviction, and list pagination', () => {
  it('runs the DaemonSet pod on the node, skips a node its selector excludes, and rolls it on a template change', async () => {
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifests);
    expect(await k('rollout', 'status', 'daemonset/agent', '--timeout=40s')).toContain('daemon set "agent" successfully rolled out');
    const table = (await k('get', 'daemonsets')).split('\n');
    expect(table[0]).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE/);
    expect(table.find((l) => l.startsWith('agent '))).toMatch(/^agent\s+1\s+1\s+1\s+1\s+1\s+<none>\s+/);
    expect(table.find((l) => l.startsWith('gpu-agent '))).toMatch(/^gpu-agent\s+0\s+0\s+0\s+0\s+0\s+accelerator=gpu\s+/);
    const [first] = await podsOf('agent');
    expect(first.status.phase).toBe('Running');
    expect(first.metadata.ownerReferences[0]).toMatchObject({ kind: 'DaemonSet', name: 'agent', controller: true });

    await k('set', 'env', 'daemonset/agent', 'ROLL=2');
    expect(await k('rollout', 'status', 'daemonset/agent', '--timeout=40s')).toContain('successfully rolled out');
    const after = await until('the old daemon pod to go', async () => {
      const pods = await podsOf('agent');
      return pods.length === 1 && pods[0].metadata.name !== first.metadata.name ? pods : undefined;
    });
    expect(after[0].spec.containers[0].env).toEqual([{ name: 'ROLL', value: '2' }]);
    expect(after[0].metadata.labels['controller-revision-hash']).not.toBe(first.metadata.labels['controller-revision-hash']);

    expect(await k('rollout', 'history', 'daemonset/agent')).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect(await k('rollout', 'undo', 'daemonset/agent')).toContain('daemonset.apps/agent rolled back');
    expect(await k('rollout', 'status', 'daemonset/agent', '--timeout=40s')).toContain('successfully rolled out');
    const undone = await until('the first template back', async () => {
      const pods = live(await podsOf('agent'));
      return pods.length === 1 && pods[0].spec.containers[0].env === undefined ? pods : undefined;
    });
    expect(undone[0].metadata.labels['controller-revision-hash']).toBe(first.metadata.labels['controller-revision-hash']);
  });

  it('a ReplicationController keeps 2 pods, replacing a deleted one', async () => {
    await until('2 ready web pods', async () => ((await k('get', 'rc', 'web')).split('\n')[1].match(/^web\s+2\s+2\s+2\s+/) ? true : undefined));
    const [victim] = await podsOf('web');
    await k('delete', 'pod', victim.metadata.name, '--wait=false');
    const pods = await until('a replacement web pod', async () => {
      const list = live(await podsOf('web'));
      return list.length === 2 && !list.some((p) => p.metadata.name === victim.metadata.name) ? list : undefined;
    });
    expect(pods.every((p) => p.metadata.ownerReferences[0].kind === 'ReplicationController')).toBe(true);
    const scale = JSON.parse(await k('get', '--raw', `/api/v1/namespaces/${ns}/replicationcontrollers/web/scale`));
    expect(scale).toMatchObject({ kind: 'Scale', spec: { replicas: 2 }, status: { selector: 'app=web' } });
  });

  it('an eviction a PodDisruptionBudget forbids answers 429; once the budget allows one, it deletes the pod', async () => {
    await until('2 ready web pods', async () => ((await k('get', 'rc', 'web')).split('\n')[1].match(/^web\s+2\s+2\s+2\s+/) ? true : undefined));
    const pdb = (min: number) => `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n  namespace: ${ns}\nspec:\n  minAvailable: ${min}\n  selector:\n    matchLabels:\n      app: web\n`;
    // kubectl create sends it as protobuf.
    await k('create', 'pdb', 'web', '--selector=app=web', '--min-available=2');
    await until('the budget computed', async () => ((await k('get', 'pdb', 'web')).split('\n')[1].match(/^web\s+2\s+N\/A\s+0\s+/) ? true : undefined));
    const status = JSON.parse(await k('get', 'pdb', 'web', '-o', 'json')).status;
    expect(status).toMatchObject({ currentHealthy: 2, desiredHealthy: 2, expectedPods: 2, disruptionsAllowed: 0 });
    expect(status.conditions[0]).toMatchObject({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' });

    const [pod] = live(await podsOf('web'));
    const refused = await evict(pod.metadata.name);
    expect(refused.status).toBe(429);
    expect(refused.json()).toMatchObject({
      reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }] },
    });
    expect((await kubectl(rt.kubeconfig, ['-n', ns, 'get', 'pod', pod.metadata.name])).code).toBe(0);

    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], pdb(1));
    await until('one disruption allowed', async () => ((await k('get', 'pdb', 'web')).split('\n')[1].match(/^web\s+1\s+N\/A\s+1\s+/) ? true : undefined));
    const allowed = await evict(pod.metadata.name);
    expect(allowed.status).toBe(201);
    expect(allowed.json()).toMatchObject({ kind: 'Status', status: 'Success' });
    const evicted = await kubectl(rt.kubeconfig, ['-n', ns, 'get', 'pod', pod.metadata.name, '-o', 'json']);
    expect(evicted.code !== 0 || JSON.parse(evicted.stdout).metadata.deletionTimestamp !== undefined).toBe(true);
  });

  it('lists in pages: kubectl --chunk-size=2 gets every pod, client-node gets a continue token and the remaining count', async () => {
    // The DaemonSet's pod and the ReplicationController's two, none still terminating, so the pages are read from a settled list.
    await until('3 settled pods', async () => {
      const pods = JSON.parse(await k('get', 'pods', '-o', 'json')).items;
      return pods.length === 3 && live(pods).length === 3 ? true : undefined;
    });
    const all = JSON.parse(await k('get', 'pods', '-o', 'json')).items.map((p: any) => p.metadata.name).sort();
    const chunked = await kubectl(rt.kubeconfig, ['-n', ns, 'get', 'pods', '--chunk-size=2', '-o', 'name', '-v=6']);
    expect(chunked.code).toBe(0);
    expect(chunked.stdout.trim().split('\n').map((l) => l.replace('pod/', '')).sort()).toEqual(all);
    expect(chunked.stderr).toMatch(/pods\?continue=\S+&limit=2/);

    const kc = new KubeConfig();
    kc.loadFromFile(rt.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const page1 = await core.listNamespacedPod({ namespace: ns, limit: 2 });
    expect(page1.items).toHaveLength(2);
    expect(page1.metadata?.remainingItemCount).toBe(all.length - 2);
    const page2 = await core.listNamespacedPod({ namespace: ns, limit: 2, _continue: page1.metadata!._continue });
    expect(page2.metadata?.resourceVersion).toBe(page1.metadata?.resourceVersion);
    expect([...page1.items, ...page2.items].map((p) => p.metadata!.name)).toEqual([...all].slice(0, page1.items.length + page2.items.length));
    const bad = await apiRequest(rt, 'GET', `/api/v1/namespaces/${ns}/pods?limit=2&continue=bm90LWEtdG9rZW4`);
    expect(bad.status).toBe(400);
  });
});
