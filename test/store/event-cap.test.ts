import { afterEach, describe, expect, it } from 'vitest';
import { openLocalCluster, type LocalCluster } from '../../runtime/store/index.js';
import { resources } from '../../runtime/resources/registry.js';
import type { KubeObject } from '../../runtime/kube/object.js';

const event = (namespace: string, name: string, at: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, namespace },
  involvedObject: { kind: 'Pod', name, namespace },
  reason: 'Started',
  message: 'Started container app',
  type: 'Normal',
  lastTimestamp: new Date(at).toISOString(),
});

// Every rollout records a handful of events per new pod; within the 1 h TTL a `baton up` with a
// commit every few seconds kept over 10000 of them (the soak bench of issue 8).
describe('events per namespace', () => {
  let cluster: LocalCluster | undefined;
  afterEach(async () => {
    await cluster?.close();
  });

  it('are capped: the least recently seen beyond maxEventsPerNamespace go, other namespaces untouched', async () => {
    cluster = await openLocalCluster({ maxEventsPerNamespace: 3, bookmarkIntervalMs: 0 });
    await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    const now = Date.now();
    for (let i = 0; i < 6; i++) await cluster.create(resources.events, event('shop', `pod-${i}`, now - (6 - i) * 1000));
    await cluster.create(resources.events, event('default', 'other', now - 60_000));

    expect(cluster.expireEvents(now)).toBe(3);
    const names = (ns: string) => cluster!.list(resources.events, { namespace: ns }).then((l) => l.items.map((e) => e.metadata.name).sort());
    expect(await names('shop')).toEqual(['pod-3', 'pod-4', 'pod-5']);
    expect(await names('default')).toEqual(['other']);
  });
});
