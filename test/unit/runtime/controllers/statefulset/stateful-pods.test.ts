import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { claimOwners, claimsFor, ordinalOf, statefulPod } from '../../../../../runtime/controllers/statefulset/stateful-pods.js';

const set: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'ns', uid: 'set-uid' },
  spec: {
    serviceName: 'db-headless',
    selector: { matchLabels: { app: 'db' } },
    template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'main', image: 'x' }], volumes: [{ name: 'data', emptyDir: {} }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data', labels: { tier: 'disk' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
};

describe('stateful pods', () => {
  it('reads the ordinal from <set>-<n> only', () => {
    const named = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name } });
    expect([named('db-0'), named('db-12'), named('db-01'), named('db-x'), named('dbx-1'), named('db-1-2')].map((p) => ordinalOf('db', p))).toEqual([0, 12, undefined, undefined, undefined, undefined]);
  });

  it('makes a pod with a stable name, hostname, subdomain, identity labels and its claim as the template volume of that name', () => {
    const pod = statefulPod(set, set.spec!.template, 2, 'db-abc');
    expect(pod.metadata).toMatchObject({
      name: 'db-2',
      namespace: 'ns',
      labels: { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-2', 'apps.kubernetes.io/pod-index': '2', 'controller-revision-hash': 'db-abc' },
    });
    expect(pod.metadata.generateName).toBeUndefined();
    expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'StatefulSet', uid: 'set-uid', controller: true })]);
    expect(pod.spec).toMatchObject({ hostname: 'db-2', subdomain: 'db-headless' });
    expect(pod.spec!.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-2' } }]);
  });

  it('names claims <template>-<set>-<ordinal>, labelled with the selector', () => {
    const [claim] = claimsFor(set, 1);
    expect(claim.metadata).toMatchObject({ name: 'data-db-1', namespace: 'ns', labels: { tier: 'disk', app: 'db' } });
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
  });

  it('owns claims per persistentVolumeClaimRetentionPolicy', () => {
    const claim = claimsFor(set, 1)[0];
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-1', uid: 'pod-uid' } };
    const withPolicy = (whenDeleted: string, whenScaled: string): KubeObject => ({ ...set, spec: { ...set.spec, persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } } });
    expect(claimOwners(withPolicy('Retain', 'Retain'), claim, pod)).toEqual([]);
    expect(claimOwners(withPolicy('Delete', 'Retain'), claim, undefined).map((r) => r.uid)).toEqual(['set-uid']);
    expect(claimOwners(withPolicy('Retain', 'Delete'), claim, undefined)).toEqual([]);
    expect(claimOwners(withPolicy('Retain', 'Delete'), claim, pod).map((r) => r.uid)).toEqual(['pod-uid']);
    // Both Delete: a scaled-away claim is the pod's alone, or the set would keep it alive.
    expect(claimOwners(withPolicy('Delete', 'Delete'), claim, pod).map((r) => r.uid)).toEqual(['pod-uid']);
    expect(claimOwners(withPolicy('Delete', 'Delete'), claim, undefined).map((r) => r.uid)).toEqual(['set-uid']);
    // Going back to Retain drops the set's reference again.
    const owned = { ...claim, metadata: { ...claim.metadata, ownerReferences: claimOwners(withPolicy('Delete', 'Retain'), claim, undefined) } };
    expect(claimOwners(withPolicy('Retain', 'Retain'), owned, undefined)).toEqual([]);
  });
});
