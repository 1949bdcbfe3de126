import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { answerJson, openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { resources } from '../../runtime/resources/registry.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { configMap, deployment, expectStatus } from './helpers.js';

let cluster: LocalCluster;
beforeEach(async () => {
  cluster = await openLocalCluster({});
});
afterEach(async () => {
  await cluster.close();
});

describe('find', () => {
  it('answers undefined where get is a NotFound, and a private copy of a stored object', async () => {
    expect(await cluster.find!(resources.configmaps, 'default', 'missing')).toBeUndefined();
    await expectStatus(cluster.get(resources.configmaps, 'default', 'missing'), 404);
    const created = await cluster.create(resources.configmaps, configMap('a', {}, { k: 'v' }));
    const found = await cluster.find!(resources.configmaps, 'default', 'a');
    expect(found).toEqual(created);
    found!.data = { k: 'changed' };
    expect(await cluster.get(resources.configmaps, 'default', 'a')).toEqual(created);
  });
});

describe('answers', () => {
  it("carry the stored text of a write, which is the answer's own JSON; reads, which callers change, carry none", async () => {
    const created = await cluster.create(resources.configmaps, configMap('a', { labels: { '1': 'x', b: 'y' } }, { k: 'v' }));
    expect(answerJson(created)).toBe(JSON.stringify(created));
    const updated = await cluster.update(resources.configmaps, { ...created, data: { k: 'w' } });
    expect(answerJson(updated)).toBe(JSON.stringify(updated));
    expect(JSON.parse(answerJson(updated)!).data).toEqual({ k: 'w' });
    expect(answerJson(await cluster.get(resources.configmaps, 'default', 'a'))).toBeUndefined();
    expect(answerJson((await cluster.list(resources.configmaps)).items[0]!)).toBeUndefined();
  });
});

describe('createJson and updateJson', () => {
  it('answer the stored text of what was written, and of the unchanged object when an update changes nothing', async () => {
    const created = await cluster.createJson!(resources.configmaps, configMap('a', {}, { k: 'v' }));
    expect(created).toBe(await cluster.getJson!(resources.configmaps, 'default', 'a'));
    const stored = JSON.parse(created) as KubeObject;
    expect(stored.metadata.resourceVersion).toBe(cluster.currentResourceVersion());
    expect(stored.metadata.uid).toBeTruthy();
    const updated = await cluster.updateJson!(resources.configmaps, { ...stored, data: { k: 'w' } });
    expect(JSON.parse(updated).data).toEqual({ k: 'w' });
    expect(updated).toBe(await cluster.getJson!(resources.configmaps, 'default', 'a'));
    const unchanged = await cluster.updateJson!(resources.configmaps, JSON.parse(updated) as KubeObject);
    expect(unchanged).toBe(updated);
    await expectStatus(cluster.createJson!(resources.configmaps, configMap('a')), 409);
  });
});

describe('create', () => {
  it('fills in uid, creationTimestamp, resourceVersion and leaves the caller object alone', async () => {
    const input = configMap('a', {}, { k: 'v' });
    const before = structuredClone(input);
    const created = await cluster.create(resources.configmaps, input);
    expect(input).toEqual(before);
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(created.metadata.resourceVersion).toBe(cluster.currentResourceVersion());
    expect(created.metadata.generation).toBeUndefined();
    expect(await cluster.get(resources.configmaps, 'default', 'a')).toEqual(created);
  });

  it('stamps creationTimestamp with the second of the write, in UTC, and a grace period ahead of it for deletionTimestamp', async () => {
    // The text is made once a second and reused: a write just after the second turns, or a stamp with an offset, must not get a stale one.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-03-04T05:06:07.999Z'));
      const first = await cluster.create(resources.configmaps, configMap('first'));
      const pod = await cluster.create(resources.pods, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'default' },
        spec: { nodeName: 'node', containers: [{ name: 'c', image: 'app:1' }] },
      });
      const deleting = await cluster.delete(resources.pods, 'default', 'p', { gracePeriodSeconds: 30 });
      const same = await cluster.create(resources.configmaps, configMap('same'));
      vi.setSystemTime(new Date('2026-03-04T05:06:08.000Z'));
      const next = await cluster.create(resources.configmaps, configMap('next'));
      expect([first, pod, same, next].map((o) => o.metadata.creationTimestamp)).toEqual(['2026-03-04T05:06:07Z', '2026-03-04T05:06:07Z', '2026-03-04T05:06:07Z', '2026-03-04T05:06:08Z']);
      expect(deleting.metadata.deletionTimestamp).toBe('2026-03-04T05:06:37Z');
    } finally {
      vi.useRealTimers();
    }
  });

  it('generates a name from generateName', async () => {
    const created = await cluster.create(resources.configmaps, { ...configMap(''), metadata: { generateName: 'web-', namespace: 'default' } });
    expect(created.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('cuts a long generateName prefix to 58 characters so the name fits 63', async () => {
    const prefix = `${'a'.repeat(70)}-`;
    const created = await cluster.create(resources.configmaps, { ...configMap(''), metadata: { generateName: prefix, namespace: 'default' } });
    expect(created.metadata.name).toHaveLength(63);
    expect(created.metadata.name!.startsWith('a'.repeat(58))).toBe(true);
  });

  it('gives a Job its selector and labels from its uid unless manualSelector is set', async () => {
    const job = (manualSelector?: boolean) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { generateName: 'pi-', namespace: 'default' },
      spec: {
        ...(manualSelector ? { manualSelector, selector: { matchLabels: { app: 'pi' } } } : {}),
        template: { metadata: { labels: { app: 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } },
      },
    });
    const generated = await cluster.create(resources.jobs, job());
    const uid = generated.metadata.uid;
    expect(generated.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    expect(generated.spec.template.metadata.labels).toEqual({
      app: 'pi',
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': generated.metadata.name,
      'controller-uid': uid,
      'job-name': generated.metadata.name,
    });
    const manual = await cluster.create(resources.jobs, job(true));
    expect(manual.spec.selector).toEqual({ matchLabels: { app: 'pi' } });
    expect(manual.spec.template.metadata.labels).toEqual({ app: 'pi' });
  });

  it('starts generation at 1 for kinds that have one', async () => {
    expect((await cluster.create(resources.deployments, deployment('d'))).metadata.generation).toBe(1);
  });

  it.each([
    ['an existing name', () => cluster.create(resources.configmaps, configMap('dup')), 409, 'configmaps "dup" already exists'],
    ['a missing namespace', () => cluster.create(resources.configmaps, configMap('x', { namespace: 'nope' })), 404, 'namespaces "nope" not found'],
    ['no name', () => cluster.create(resources.configmaps, configMap('')), 422, /metadata.name: Required value/],
  ])('refuses %s', async (_what, attempt, code, message) => {
    await cluster.create(resources.configmaps, configMap('dup'));
    await expectStatus(attempt(), code, message);
  });

  it('refuses new content in a Terminating namespace', async () => {
    await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'busy' } });
    await cluster.create(resources.configmaps, configMap('keep', { namespace: 'busy', finalizers: ['example.com/hold'] }));
    await cluster.delete(resources.namespaces, undefined, 'busy');
    await expectStatus(
      cluster.create(resources.configmaps, configMap('late', { namespace: 'busy' })),
      403,
      'configmaps "late" is forbidden: unable to create new content in namespace busy because it is being terminated',
    );
  });

  it('has the system namespaces, Active', async () => {
    const names = (await cluster.list(resources.namespaces)).items.map((n) => [n.metadata.name, n.status.phase]);
    expect(names).toEqual([
      ['default', 'Active'],
      ['kube-node-lease', 'Active'],
      ['kube-public', 'Active'],
      ['kube-system', 'Active'],
    ]);
  });

  it('makes pods Pending', async () => {
    const pod = await cluster.create(resources.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } });
    expect(pod.status.phase).toBe('Pending');
  });
});

describe('services', () => {
  const svc = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });

  it('allocates distinct ClusterIPs in 127.2.0.0/16 and NodePorts in range, and frees them on delete', async () => {
    const a = await cluster.create(resources.services, svc('a', { ports: [{ port: 80 }] }));
    const b = await cluster.create(resources.services, svc('b', { type: 'NodePort', ports: [{ port: 80 }] }));
    expect(a.spec.clusterIP).toMatch(/^127\.2\.\d+\.\d+$/);
    expect(a.spec.clusterIPs).toEqual([a.spec.clusterIP]);
    expect(b.spec.clusterIP).not.toBe(a.spec.clusterIP);
    expect(a.spec.ports[0].nodePort).toBeUndefined();
    expect(b.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(b.spec.ports[0].nodePort).toBeLessThanOrEqual(32767);
    await cluster.delete(resources.services, 'default', 'a');
    const again = await cluster.create(resources.services, svc('c', { clusterIP: a.spec.clusterIP, type: 'NodePort', ports: [{ port: 1, nodePort: 31000 }] }));
    expect(again.spec.clusterIP).toBe(a.spec.clusterIP);
  });

  it('keeps headless services headless and refuses taken addresses', async () => {
    const headless = await cluster.create(resources.services, svc('h', { clusterIP: 'None', ports: [{ port: 80 }] }));
    expect(headless.spec.clusterIP).toBe('None');
    const a = await cluster.create(resources.services, svc('a', { ports: [{ port: 80 }] }));
    await expectStatus(cluster.create(resources.services, svc('b', { clusterIP: a.spec.clusterIP })), 422, /provided IP is already allocated/);
    const n = await cluster.create(resources.services, svc('n', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    expect(n.spec.ports[0].nodePort).toBe(30080);
    await expectStatus(cluster.create(resources.services, svc('m', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })), 422, /already allocated/);
  });

  it('keeps allocated values when an update omits them', async () => {
    const a = await cluster.create(resources.services, svc('a', { type: 'NodePort', ports: [{ port: 80 }] }));
    const updated = await cluster.update(resources.services, svc('a', { type: 'NodePort', ports: [{ port: 80 }], selector: { app: 'x' } }));
    expect(updated.spec.clusterIP).toBe(a.spec.clusterIP);
    expect(updated.spec.ports[0].nodePort).toBe(a.spec.ports[0].nodePort);
    const again = await cluster.update(resources.services, svc('a', { type: 'NodePort', ports: [{ port: 80 }], selector: { app: 'x' } }));
    expect(again.metadata.resourceVersion).toBe(updated.metadata.resourceVersion);
  });

  it('refuses to change an allocated ClusterIP', async () => {
    await cluster.create(resources.services, svc('a', { ports: [{ port: 80 }] }));
    await expectStatus(cluster.update(resources.services, svc('a', { clusterIP: '127.2.9.9', ports: [{ port: 80 }] })), 422, /field is immutable/);
  });
});

describe('update', () => {
  it('bumps resourceVersion, refuses a stale one and lets an absent one win', async () => {
    const v1 = await cluster.create(resources.configmaps, configMap('a', {}, { k: '1' }));
    const v2 = await cluster.update(resources.configmaps, { ...v1, data: { k: '2' } });
    expect(Number(v2.metadata.resourceVersion)).toBeGreaterThan(Number(v1.metadata.resourceVersion));
    await expectStatus(
      cluster.update(resources.configmaps, { ...v1, data: { k: '3' } }),
      409,
      'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again',
    );
    const v3 = await cluster.update(resources.configmaps, configMap('a', {}, { k: '4' }));
    expect(v3.data).toEqual({ k: '4' });
    expect(v3.metadata.uid).toBe(v1.metadata.uid);
    expect(v3.metadata.creationTimestamp).toBe(v1.metadata.creationTimestamp);
  });

  it('returns an unchanged object without a new resourceVersion', async () => {
    const v1 = await cluster.create(resources.configmaps, configMap('a', {}, { k: '1' }));
    const same = await cluster.update(resources.configmaps, structuredClone(v1));
    expect(same.metadata.resourceVersion).toBe(v1.metadata.resourceVersion);
    expect(cluster.currentResourceVersion()).toBe(v1.metadata.resourceVersion);
  });

  it('is NotFound for a missing object', async () => {
    await expectStatus(cluster.update(resources.configmaps, configMap('ghost')), 404, 'configmaps "ghost" not found');
  });

  it.each([
    ['a spec change', (d: KubeObject) => ({ ...d, spec: { ...d.spec, replicas: 5 } }), 2],
    ['a label change', (d: KubeObject) => ({ ...d, metadata: { ...d.metadata, labels: { x: 'y' } } }), 1],
    ['an annotation change', (d: KubeObject) => ({ ...d, metadata: { ...d.metadata, annotations: { x: 'y' } } }), 1],
  ])('generation after %s is %i', async (_what, change, generation) => {
    const d = await cluster.create(resources.deployments, deployment('d'));
    expect((await cluster.update(resources.deployments, change(d))).metadata.generation).toBe(generation);
  });

  it('keeps status on a normal update and writes only status through the status subresource', async () => {
    const d = await cluster.create(resources.deployments, deployment('d'));
    const withStatus = await cluster.update(resources.deployments, { ...d, spec: { ...d.spec, replicas: 9 }, status: { replicas: 3 } }, { status: true });
    expect(withStatus.status).toEqual({ replicas: 3 });
    expect(withStatus.spec.replicas).toBe(1);
    expect(withStatus.metadata.generation).toBe(1);
    const normal = await cluster.update(resources.deployments, { ...withStatus, spec: { ...withStatus.spec, replicas: 2 }, status: { replicas: 0 } });
    expect(normal.status).toEqual({ replicas: 3 });
    expect(normal.spec.replicas).toBe(2);
    expect(normal.metadata.generation).toBe(2);
    // As pods/binding: the object and its status in one write, one new resourceVersion.
    const both = await cluster.update(resources.deployments, { ...normal, spec: { ...normal.spec, replicas: 4 }, status: { replicas: 2 } }, { withStatus: true });
    expect(both.spec.replicas).toBe(4);
    expect(both.status).toEqual({ replicas: 2 });
    expect(both.metadata.generation).toBe(3);
    expect(Number(both.metadata.resourceVersion)).toBe(Number(normal.metadata.resourceVersion) + 1);
  });

  it('keeps uid, name and creationTimestamp', async () => {
    const v1 = await cluster.create(resources.configmaps, configMap('a'));
    const v2 = await cluster.update(resources.configmaps, { ...v1, metadata: { ...v1.metadata, creationTimestamp: '2000-01-01T00:00:00Z' }, data: { x: 'y' } });
    expect(v2.metadata.creationTimestamp).toBe(v1.metadata.creationTimestamp);
    await expectStatus(cluster.update(resources.configmaps, { ...v1, metadata: { ...v1.metadata, uid: 'other', resourceVersion: undefined } }), 409, /Precondition failed: UID/);
  });
});

describe('list', () => {
  it('filters by namespace, labels and fields, sorted by namespace and name', async () => {
    await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    await cluster.create(resources.configmaps, configMap('b', { labels: { app: 'web' } }));
    await cluster.create(resources.configmaps, configMap('a', { labels: { app: 'api' } }));
    await cluster.create(resources.configmaps, configMap('c', { namespace: 'other', labels: { app: 'web' } }));
    const names = async (options: object) => (await cluster.list(resources.configmaps, options)).items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(await names({})).toEqual(['default/a', 'default/b', 'other/c']);
    expect(await names({ namespace: 'default' })).toEqual(['default/a', 'default/b']);
    expect(await names({ labelSelector: 'app=web' })).toEqual(['default/b', 'other/c']);
    expect(await names({ fieldSelector: 'metadata.namespace!=default' })).toEqual(['other/c']);
    expect((await cluster.list(resources.configmaps)).resourceVersion).toBe(cluster.currentResourceVersion());
    await expectStatus(cluster.list(resources.configmaps, { labelSelector: 'app in' }), 400);
  });
});
