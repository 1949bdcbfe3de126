import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import {
  validateClaimSpec,
  validateClaimUpdate,
  validatePersistentVolume,
  validateStatefulSet,
  validateStatefulSetUpdate,
  validateStorageClass,
  validateStorageClassUpdate,
} from '../../../../../runtime/api/validation/validate-storage.js';

const text = (causes: Array<{ field?: string; message: string }>) => causes.map((c) => `${c.field}: ${c.message}`);
const obj = (kind: string, body: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name: 'x' }, ...body });
const good = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };

describe('validateClaimSpec', () => {
  it.each([
    ['a plain claim', good, []],
    ['no access modes', { ...good, accessModes: [] }, ['spec.accessModes: Required value: at least 1 access mode is required']],
    ['an unknown access mode', { ...good, accessModes: ['ReadWriteSometimes'] }, ['spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"']],
    ['no storage request', { accessModes: ['ReadWriteOnce'] }, ['spec.resources[storage]: Required value']],
    ['a storage request that is no quantity', { ...good, resources: { requests: { storage: '1 GB' } } }, [expect.stringMatching(/^spec\.resources\[storage\]: Invalid value: "1 GB": quantities must match/)]],
    ['a zero storage request', { ...good, resources: { requests: { storage: '0' } } }, ['spec.resources[storage]: Invalid value: "0": must be greater than zero']],
    ['a class name that is no DNS subdomain', { ...good, storageClassName: 'Fast_SSD' }, [expect.stringMatching(/^spec\.storageClassName: Invalid value: "Fast_SSD": a lowercase RFC 1123 subdomain/)]],
    ['no class on purpose', { ...good, storageClassName: '' }, []],
  ] as const)('%s', (_what, spec, causes) => {
    expect(text(validateClaimSpec(spec, 'spec'))).toEqual(causes);
  });

  it('lets binding fill volumeName and the default class, and the request grow, but nothing else change', () => {
    const old = obj('PersistentVolumeClaim', { spec: good });
    expect(validateClaimUpdate(obj('PersistentVolumeClaim', { spec: { ...good, volumeName: 'pv', storageClassName: 'standard', resources: { requests: { storage: '2Gi' } } } }), old)).toEqual([]);
    const bound = obj('PersistentVolumeClaim', { spec: { ...good, volumeName: 'pv' } });
    expect(text(validateClaimUpdate(obj('PersistentVolumeClaim', { spec: { ...good, volumeName: 'pv', resources: { requests: { storage: '512Mi' } } } }), bound))).toEqual([
      'spec.resources.requests.storage: Forbidden: field can not be less than previous value',
    ]);
    expect(text(validateClaimUpdate(obj('PersistentVolumeClaim', { spec: { ...good, volumeName: 'other' } }), bound))).toEqual([
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    ]);
  });
});

describe('PersistentVolume and StorageClass', () => {
  it('asks a volume for a capacity, access modes and exactly one source', () => {
    expect(validatePersistentVolume(obj('PersistentVolume', { spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/srv' } } }))).toEqual([]);
    expect(text(validatePersistentVolume(obj('PersistentVolume', { spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } })))).toEqual(['spec: Required value: must specify a volume type']);
    expect(text(validatePersistentVolume(obj('PersistentVolume', { spec: { accessModes: ['ReadWriteOnce'], hostPath: { path: '/srv' }, persistentVolumeReclaimPolicy: 'Keep' } })))).toEqual([
      'spec.capacity[storage]: Required value',
      'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
    ]);
  });

  it('asks a class for a provisioner and known modes, fixed once made', () => {
    expect(text(validateStorageClass(obj('StorageClass', { volumeBindingMode: 'Lazy' })))).toEqual([
      'provisioner: Required value',
      'volumeBindingMode: Unsupported value: "Lazy": supported values: "Immediate", "WaitForFirstConsumer"',
    ]);
    const sc = obj('StorageClass', { provisioner: 'a', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
    expect(text(validateStorageClassUpdate({ ...sc, provisioner: 'b' }, sc))).toEqual(['provisioner: Forbidden: updates to provisioner are forbidden.']);
  });
});

describe('StatefulSet', () => {
  const sts = (spec: Record<string, unknown>) => obj('StatefulSet', { spec: { replicas: 1, serviceName: 'web', ...spec } });
  it('checks policies, partition, restartPolicy and claim templates', () => {
    expect(
      text(
        validateStatefulSet(
          sts({
            podManagementPolicy: 'Random',
            updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -1 } },
            template: { spec: { restartPolicy: 'Never' } },
            persistentVolumeClaimRetentionPolicy: { whenScaled: 'Keep' },
            volumeClaimTemplates: [{ metadata: {}, spec: good }],
          }),
        ),
      ),
    ).toEqual([
      'spec.podManagementPolicy: Unsupported value: "Random": supported values: "OrderedReady", "Parallel"',
      'spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      'spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "Keep": supported values: "Delete", "Retain"',
      'spec.volumeClaimTemplates[0].metadata.name: Required value',
    ]);
  });

  it('lets replicas, template and updateStrategy change but not serviceName', () => {
    expect(validateStatefulSetUpdate(sts({ replicas: 3, updateStrategy: { type: 'OnDelete' } }), sts({}))).toEqual([]);
    expect(text(validateStatefulSetUpdate(sts({ serviceName: 'other' }), sts({})))).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });
});
