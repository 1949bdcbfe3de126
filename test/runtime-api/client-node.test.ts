import { KubeConfig, KubernetesObjectApi, PatchStrategy, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess;
let kc: KubeConfig;
let api: KubernetesObjectApi;
const ns = 'clientnode';

interface ConfigMap extends KubernetesObject {
  data?: Record<string, string>;
}

function configMap(name: string, labels: Record<string, string>, data: Record<string, string>): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data };
}

beforeAll(async () => {
  rt = await startRuntimeProcess();
  kc = new KubeConfig();
  kc.loadFromFile(rt.kubeconfig);
  api = KubernetesObjectApi.makeApiClient(kc);
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

describe('@kubernetes/client-node against baton runtime', () => {
  it('server-side applies (create, then update), reads back and lists by label', async () => {
    const applied = await api.patch(configMap('ssa', { team: 'a' }, { v: '1' }), undefined, undefined, 'baton-test', true, PatchStrategy.ServerSideApply);
    expect(applied.metadata?.uid).toBeTruthy();
    await api.patch(configMap('ssa', { team: 'a' }, { v: '2' }), undefined, undefined, 'baton-test', true, PatchStrategy.ServerSideApply);
    await api.patch(configMap('other', { team: 'b' }, { v: '1' }), undefined, undefined, 'baton-test', true, PatchStrategy.ServerSideApply);

    const read = await api.read<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: ns } });
    expect(read.data).toEqual({ v: '2' });
    expect(read.metadata?.managedFields?.[0]).toMatchObject({ manager: 'baton-test', operation: 'Apply' });

    const list = await api.list<ConfigMap>('v1', 'ConfigMap', ns, undefined, undefined, undefined, undefined, 'team=a');
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['ssa']);
  });

  it('a second field manager that takes an owned field conflicts unless it forces', async () => {
    const mine = configMap('owned', {}, { key: 'mine' });
    await api.patch(mine, undefined, undefined, 'owner', false, PatchStrategy.ServerSideApply);
    const theirs = configMap('owned', {}, { key: 'theirs' });
    await expect(api.patch(theirs, undefined, undefined, 'intruder', false, PatchStrategy.ServerSideApply)).rejects.toMatchObject({ code: 409 });
    const forced = await api.patch(theirs, undefined, undefined, 'intruder', true, PatchStrategy.ServerSideApply);
    expect(forced.data).toEqual({ key: 'theirs' });
  });

  it('watches with the Watch class: ADDED, MODIFIED and DELETED arrive in order', async () => {
    const seen: string[] = [];
    let stop: AbortController | undefined;
    const done = new Promise<void>((resolve, reject) => {
      new Watch(kc)
        .watch(
          `/api/v1/namespaces/${ns}/configmaps`,
          { labelSelector: 'watched=yes', allowWatchBookmarks: true },
          (phase, obj) => {
            if (phase === 'BOOKMARK') return;
            seen.push(`${phase} ${obj.metadata.name} ${obj.data?.n ?? ''}`.trim());
            if (phase === 'DELETED') resolve();
          },
          (err) => (err ? reject(err) : undefined),
        )
        .then((c) => (stop = c), reject);
    });
    await new Promise((r) => setTimeout(r, 300));
    await api.create(configMap('w1', { watched: 'yes' }, { n: '1' }));
    await api.patch(configMap('w1', { watched: 'yes' }, { n: '2' }), undefined, undefined, 'baton-test', true, PatchStrategy.ServerSideApply);
    await api.create(configMap('ignored', { watched: 'no' }, { n: '1' }));
    await api.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w1', namespace: ns } });
    await done;
    stop?.abort();
    expect(seen).toEqual(['ADDED w1 1', 'MODIFIED w1 2', 'DELETED w1 2']);
  });
});
