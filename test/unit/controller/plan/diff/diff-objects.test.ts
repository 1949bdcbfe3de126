import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffObjects, type AppDiff } from '../../../../../controller/plan/diff/diff-objects.js';
import { formatDiff } from '../../../../../controller/plan/diff/format-diff.js';
import { trackObject } from '../../../../../controller/apps/track-objects.js';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { applyDefaults } from '../../../../../runtime/api/defaulting/apply-defaults.js';
import { DiskTree, MemoryTree, renderApp } from '../../../../../renderer/index.js';

const clone = <T>(v: T): T => structuredClone(v);

/** What a live object looks like after the API server stored it: defaults, server metadata, status. */
function asLive(o: KubeObject, n = 1): KubeObject {
  const live = applyDefaults(clone(o));
  live.metadata = {
    ...live.metadata,
    uid: `uid-${n}`,
    resourceVersion: String(100 + n),
    generation: 2,
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: [{ manager: 'baton', operation: 'Apply', apiVersion: o.apiVersion, fieldsType: 'FieldsV1', fieldsV1: {} }],
    annotations: { ...live.metadata.annotations, 'deployment.kubernetes.io/revision': '3', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
  };
  live.status = { observedGeneration: 2, replicas: 2 };
  return live;
}

let rendered: KubeObject[];
beforeAll(async () => {
  const result = await renderApp({
    repo: new MemoryTree({ 'v.yaml': 'version: "1.0.0"\ncommand: [node, server.mjs]\nargs: []\nresources:\n  requests: { cpu: 1000m, memory: 64Mi }\n' }),
    chart: { tree: new DiskTree(fileURLToPath(new URL('../../../../../charts', import.meta.url))), path: 'web-service' },
    valuesFiles: ['v.yaml'],
    release: { name: 'users', namespace: 'shop' },
  });
  expect(result.errors).toEqual([]);
  rendered = result.objects.map((o) => trackObject(o.object, { app: 'users', revision: 'c1', digest: o.digest }));
});

const secret = (data: Record<string, string>, how: 'data' | 'stringData' = 'stringData'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'baton', 'baton.dev/app': 'users' } },
  type: 'Opaque',
  [how]: how === 'data' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) : data,
});
const cm = (name: string, labels: Record<string, string> = { 'app.kubernetes.io/managed-by': 'baton', 'baton.dev/app': 'users' }, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'shop', labels, ...extra },
  data: { a: '1' },
});
const deploymentOf = (objs: KubeObject[]) => objs.find((o) => o.kind === 'Deployment')!;
const changed = (d: AppDiff) => d.objects.filter((o) => o.action !== 'unchanged').map((o) => ({ [`${o.action} ${o.kind}/${o.name}`]: o.changes.map((c) => c.path) }));

describe('diffObjects', () => {
  const cases: { name: string; desired: () => KubeObject[]; live: () => KubeObject[]; expected: ReturnType<typeof changed> }[] = [
    { name: 'identical objects', desired: () => rendered, live: () => clone(rendered), expected: [] },
    { name: 'live objects with server defaults, metadata and status', desired: () => rendered, live: () => rendered.map((o, i) => asLive(o, i)), expected: [] },
    {
      name: 'a changed image',
      desired: () => rendered,
      live: () =>
        rendered.map((o, i) => {
          const l = asLive(o, i);
          if (l.kind === 'Deployment') l.spec.template.spec.containers[0].image = 'node:18-alpine';
          return l;
        }),
      expected: [{ 'changed Deployment/users': ['spec.template.spec.containers[name=users].image'] }],
    },
    {
      name: 'replicas scaled by hand (drift)',
      desired: () => rendered,
      live: () => rendered.map((o, i) => (o.kind === 'Deployment' ? { ...asLive(o, i), spec: { ...asLive(o, i).spec, replicas: 5 } } : asLive(o, i))),
      expected: [{ 'changed Deployment/users': ['spec.replicas'] }],
    },
    {
      name: 'an object not live yet',
      desired: () => rendered,
      live: () => rendered.filter((o) => o.kind !== 'Service').map((o, i) => asLive(o, i)),
      expected: [{ 'added Service/users': [] }],
    },
    {
      name: 'a container the cluster does not have',
      desired: () => {
        const d = clone(rendered);
        deploymentOf(d).spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox' });
        return d;
      },
      live: () => rendered.map((o, i) => asLive(o, i)),
      expected: [{ 'changed Deployment/users': ['spec.template.spec.containers[name=sidecar]'] }],
    },
    {
      name: 'a live object of the app that is no longer rendered (prune), but not derived, owned or other apps\' objects',
      desired: () => rendered,
      live: () => [
        ...rendered.map((o, i) => asLive(o, i)),
        cm('old'),
        cm('theirs', { 'app.kubernetes.io/managed-by': 'baton', 'baton.dev/app': 'orders' }),
        cm('unmanaged', {}),
        { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'users', namespace: 'shop', labels: rendered[1].metadata.labels } },
        { ...cm('owned'), metadata: { ...cm('owned').metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'users', uid: 'u', controller: true }] } },
      ],
      expected: [{ 'removed ConfigMap/old': [] }],
    },
    {
      name: 'only the digest differs: a field the user no longer declares',
      desired: () => {
        const d = clone(rendered);
        deploymentOf(d).metadata.annotations!['baton.dev/digest'] = 'sha256:new';
        return d;
      },
      live: () => rendered.map((o, i) => asLive(o, i)),
      expected: [{ 'changed Deployment/users': ['metadata.annotations["baton.dev/digest"]'] }],
    },
    {
      name: 'only the revision differs (bookkeeping)',
      desired: () => rendered.map((o) => ({ ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, 'baton.dev/revision': 'c2' } } })),
      live: () => rendered.map((o, i) => asLive(o, i)),
      expected: [],
    },
    {
      name: 'quantities in another spelling',
      desired: () => rendered,
      live: () =>
        rendered.map((o, i) => {
          const l = asLive(o, i);
          if (l.kind === 'Deployment') l.spec.template.spec.containers[0].resources.requests = { cpu: '1', memory: '67108864' };
          return l;
        }),
      expected: [],
    },
    { name: 'a Secret declared with stringData, live as data', desired: () => [secret({ password: 's3cret' })], live: () => [asLive(secret({ password: 's3cret' }, 'data'))], expected: [] },
  ];

  it.each(cases)('$name', ({ desired, live, expected }) => {
    const diff = diffObjects(desired(), live());
    expect(changed(diff)).toEqual(expected);
    expect(diff.inSync).toBe(expected.length === 0);
  });

  it('says which app a prune candidate must belong to', () => {
    const diff = diffObjects([], [cm('a'), cm('b', { 'app.kubernetes.io/managed-by': 'baton', 'baton.dev/app': 'orders' })], { app: 'orders' });
    expect(diff.objects.map((o) => `${o.action} ${o.name}`)).toEqual(['removed b']);
  });

  it('never shows a Secret value, only that it changed', () => {
    const diff = diffObjects([secret({ password: 'new-pass', user: 'admin' })], [asLive(secret({ password: 'old-pass' }, 'data'))]);
    expect(diff.objects[0].changes).toEqual([
      { path: 'data.password', op: 'change', redacted: true },
      { path: 'data.user', op: 'add', redacted: true },
    ]);
    const text = `${JSON.stringify(diff)}\n${formatDiff(diff)}`;
    for (const v of ['new-pass', 'old-pass', 'admin', Buffer.from('new-pass').toString('base64'), Buffer.from('old-pass').toString('base64')]) expect(text).not.toContain(v);
    expect(formatDiff(diff)).toBe('~ Secret shop/db\n    data.password: (secret value changed)\n    data.user: (secret value added)');
  });

  it('orders objects the same whatever order they come in', () => {
    const desired = [...rendered, cm('a'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }];
    const live = [cm('z'), asLive(deploymentOf(rendered))];
    const one = diffObjects(desired, live);
    const two = diffObjects([...desired].reverse(), [...live].reverse());
    expect(two).toEqual(one);
    expect(one.objects.map((o) => `${o.action} ${o.kind}/${o.name}`)).toEqual([
      'added Namespace/shop',
      'added ConfigMap/a',
      'removed ConfigMap/z',
      'added Service/users',
      'unchanged Deployment/users',
    ]);
    expect(one.counts).toEqual({ added: 3, changed: 0, removed: 1, unchanged: 1 });
  });

  it('formats a readable diff', () => {
    const live = rendered.map((o, i) => asLive(o, i));
    deploymentOf(live).spec.template.spec.containers[0].image = 'node:18-alpine';
    const text = formatDiff(diffObjects(rendered, [...live.filter((o) => o.kind !== 'Service'), cm('old')]));
    expect(text).toBe(
      [
        '- ConfigMap shop/old (prune)',
        '+ Service shop/users',
        '~ Deployment shop/users',
        '    spec.template.spec.containers[name=users].image: "node:18-alpine" → "node:20-alpine"',
      ].join('\n'),
    );
  });
});
