import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { decideClaim, decideVolume, provisionedVolume } from '../../../../../runtime/controllers/volume/volume-plan.js';
import { defaultStorageClass, standardStorageClass } from '../../../../../runtime/controllers/volume/storage-class.js';

function claim(extra: { spec?: Record<string, unknown>; annotations?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'ns', uid: 'claim-uid', annotations: extra.annotations },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard', ...extra.spec },
  };
}

function volume(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, annotations }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/x' }, ...spec } };
}

const standard = standardStorageClass();
const immediate: KubeObject = { ...standard, metadata: { name: 'fast' }, volumeBindingMode: 'Immediate' };
const external: KubeObject = { ...standard, metadata: { name: 'ebs' }, provisioner: 'ebs.csi.aws.com' };
const picked = { 'volume.kubernetes.io/selected-node': 'baton' };

describe('decideClaim', () => {
  const cases: Array<{ name: string; claim: KubeObject; volumes?: KubeObject[]; cls?: KubeObject; want: string }> = [
    { name: 'WaitForFirstConsumer waits for a scheduled pod', claim: claim(), cls: standard, want: 'wait WaitForFirstConsumer' },
    { name: 'WaitForFirstConsumer provisions once a node is selected', claim: claim({ annotations: picked }), cls: standard, want: 'provision' },
    { name: 'a Block claim is refused by the local-path provisioner', claim: claim({ spec: { volumeMode: 'Block' }, annotations: picked }), cls: standard, want: 'wait ProvisioningFailed' },
    { name: 'Immediate provisions at once', claim: claim({ spec: { storageClassName: 'fast' } }), cls: immediate, want: 'provision' },
    { name: 'a missing class is a warning', claim: claim({ spec: { storageClassName: 'gone' } }), want: 'wait ProvisioningFailed' },
    { name: "another provisioner's class waits for it", claim: claim({ spec: { storageClassName: 'ebs' } }), cls: external, want: 'wait ExternalProvisioning' },
    { name: 'no class and no volume waits', claim: claim({ spec: { storageClassName: '' } }), want: 'wait FailedBinding' },
    {
      name: 'a matching unclaimed volume of the class binds, the smallest that fits',
      claim: claim({ spec: { storageClassName: '' } }),
      volumes: [volume('big', { capacity: { storage: '10Gi' } }), volume('small', { capacity: { storage: '2Gi' } }), volume('tiny', { capacity: { storage: '100Mi' } })],
      want: 'bind small',
    },
    { name: 'a volume of other access modes does not bind', claim: claim({ spec: { storageClassName: '' } }), volumes: [volume('rox', { accessModes: ['ReadOnlyMany'] })], want: 'wait FailedBinding' },
    { name: 'a claimed volume is not taken', claim: claim({ spec: { storageClassName: '' } }), volumes: [volume('other', { claimRef: { namespace: 'ns', name: 'x', uid: 'x' } })], want: 'wait FailedBinding' },
    { name: 'the volume that names the claim binds (a provisioned one)', claim: claim(), cls: standard, volumes: [volume('pvc-claim-uid', { claimRef: { namespace: 'ns', name: 'data', uid: 'claim-uid' } })], want: 'bind pvc-claim-uid' },
    { name: 'spec.volumeName binds that volume', claim: claim({ spec: { volumeName: 'pv1' } }), volumes: [volume('pv1', {})], want: 'bind pv1' },
    { name: 'spec.volumeName of a volume bound elsewhere waits', claim: claim({ spec: { volumeName: 'pv1' } }), volumes: [volume('pv1', { claimRef: { namespace: 'ns', name: 'x', uid: 'x' } })], want: 'wait FailedBinding' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const className = c.claim.spec?.storageClassName as string;
      const d = decideClaim(c.claim, c.volumes ?? [], className, c.cls);
      const got = d.action === 'wait' ? `wait ${d.reason}` : d.action === 'bind' ? `bind ${d.volume.metadata.name}` : 'provision';
      expect(got).toBe(c.want);
    });
  }
});

describe('decideVolume', () => {
  const ref = { claimRef: { namespace: 'ns', name: 'data', uid: 'claim-uid' } };
  const ours = { 'pv.kubernetes.io/provisioned-by': 'baton.dev/local-path' };
  it.each([
    ['unclaimed: Available', volume('a', {}), claim(), { phase: 'Available', delete: false }],
    ['its claim exists: Bound', volume('a', { ...ref }), claim(), { phase: 'Bound', delete: false }],
    ['claim gone, Retain: Released and kept', volume('a', { ...ref, persistentVolumeReclaimPolicy: 'Retain' }, ours), undefined, { phase: 'Released', delete: false }],
    ['claim gone, Delete, ours: deleted', volume('a', { ...ref, persistentVolumeReclaimPolicy: 'Delete' }, ours), undefined, { phase: 'Released', delete: true }],
    ['claim gone, Delete, not ours: Failed', volume('a', { ...ref, persistentVolumeReclaimPolicy: 'Delete' }), undefined, { phase: 'Failed', delete: false }],
    ['a new claim of the same name is not its claim', volume('a', { ...ref, persistentVolumeReclaimPolicy: 'Retain' }), { ...claim(), metadata: { ...claim().metadata, uid: 'new' } }, { phase: 'Released', delete: false }],
  ] as const)('%s', (_name, pv, c, want) => {
    expect(decideVolume(pv, c)).toMatchObject(want);
  });
});

describe('provisioning', () => {
  it('makes a volume bound to the claim, with the class policy and the claim size', () => {
    const pv = provisionedVolume({ ...claim(), metadata: { ...claim().metadata, resourceVersion: '7' } }, standard, '/state/volumes/pvc-claim-uid');
    expect(pv.metadata).toMatchObject({ name: 'pvc-claim-uid', annotations: { 'pv.kubernetes.io/provisioned-by': 'baton.dev/local-path' } });
    expect(pv.spec).toMatchObject({
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'standard',
      hostPath: { path: '/state/volumes/pvc-claim-uid' },
      claimRef: { namespace: 'ns', name: 'data', uid: 'claim-uid', resourceVersion: '7' },
    });
  });

  it('picks the newest class marked default', () => {
    const at = (name: string, time: string, isDefault: boolean): KubeObject => ({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name, creationTimestamp: time, annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} },
    });
    expect(defaultStorageClass([at('a', '2026-01-01T00:00:00Z', true), at('b', '2026-02-01T00:00:00Z', true), at('c', '2026-03-01T00:00:00Z', false)])?.metadata.name).toBe('b');
    expect(defaultStorageClass([at('c', '2026-03-01T00:00:00Z', false)])).toBeUndefined();
  });
});
