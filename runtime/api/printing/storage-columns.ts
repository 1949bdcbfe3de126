import type { KubeObject } from '../../kube/object.js';
import type { ColumnDefinition, ColumnSet } from './column-sets.js';
import { ageOf } from './human-duration.js';

function col(name: string, priority = 0, type: ColumnDefinition['type'] = 'string', format = ''): ColumnDefinition {
  return { name, type, format, description: `${name} column`, priority };
}
const nameCol = { ...col('Name', 0, 'string', 'name'), description: 'Name must be unique within a namespace.' };
const ageCol = { ...col('Age'), description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' };
const age = (o: KubeObject, now: number) => ageOf(o.metadata.creationTimestamp, now);

const MODE_ABBREVIATIONS: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

/** GetAccessModesAsString: each mode once, abbreviated, in Kubernetes' order. */
function accessModes(modes: unknown): string {
  const given = new Set(Array.isArray(modes) ? modes : []);
  return Object.entries(MODE_ABBREVIATIONS)
    .filter(([mode]) => given.has(mode))
    .map(([, short]) => short)
    .join(',');
}

function phaseOrTerminating(obj: KubeObject): string {
  return obj.metadata.deletionTimestamp ? 'Terminating' : String(obj.status?.phase ?? '');
}

const isDefaultClass = (sc: KubeObject) =>
  sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' || sc.metadata.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true';

/** `statefulset.apps/web`: the controller of a ControllerRevision as kubectl names it. */
function controllerOf(obj: KubeObject): string {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller === true);
  if (!ref) return '<none>';
  const group = String(ref.apiVersion).includes('/') ? String(ref.apiVersion).split('/')[0] : '';
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

/** Kubernetes' columns for the storage kinds, StatefulSet and ControllerRevision (pkg/printers/internalversion). */
export const storageColumnSets: Record<string, ColumnSet> = {
  PersistentVolume: {
    columns: [nameCol, col('Capacity'), col('Access Modes'), col('Reclaim Policy'), col('Status'), col('Claim'), col('StorageClass'), col('VolumeAttributesClass'), col('Reason'), ageCol, col('VolumeMode', 1)],
    cells: (pv, now) => {
      const ref = pv.spec?.claimRef;
      return [
        pv.metadata.name,
        String(pv.spec?.capacity?.storage ?? ''),
        accessModes(pv.spec?.accessModes),
        String(pv.spec?.persistentVolumeReclaimPolicy ?? ''),
        phaseOrTerminating(pv),
        ref ? `${ref.namespace}/${ref.name}` : '',
        String(pv.spec?.storageClassName ?? ''),
        String(pv.spec?.volumeAttributesClassName ?? '<unset>'),
        String(pv.status?.reason ?? ''),
        age(pv, now),
        String(pv.spec?.volumeMode ?? 'Filesystem'),
      ];
    },
  },
  PersistentVolumeClaim: {
    columns: [nameCol, col('Status'), col('Volume'), col('Capacity'), col('Access Modes'), col('StorageClass'), col('VolumeAttributesClass'), ageCol, col('VolumeMode', 1)],
    cells: (pvc, now) => {
      const bound = Boolean(pvc.spec?.volumeName);
      return [
        pvc.metadata.name,
        phaseOrTerminating(pvc),
        String(pvc.spec?.volumeName ?? ''),
        bound ? String(pvc.status?.capacity?.storage ?? '') : '',
        bound ? accessModes(pvc.status?.accessModes) : '',
        String(pvc.spec?.storageClassName ?? pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? ''),
        String(pvc.spec?.volumeAttributesClassName ?? '<unset>'),
        age(pvc, now),
        String(pvc.spec?.volumeMode ?? 'Filesystem'),
      ];
    },
  },
  StorageClass: {
    columns: [nameCol, col('Provisioner'), col('ReclaimPolicy'), col('VolumeBindingMode'), col('AllowVolumeExpansion'), ageCol],
    cells: (sc, now) => [
      isDefaultClass(sc) ? `${sc.metadata.name} (default)` : sc.metadata.name,
      String(sc.provisioner ?? ''),
      String(sc.reclaimPolicy ?? 'Delete'),
      String(sc.volumeBindingMode ?? 'Immediate'),
      String(sc.allowVolumeExpansion === true),
      age(sc, now),
    ],
  },
  StatefulSet: {
    columns: [nameCol, col('Ready'), ageCol, col('Containers', 1), col('Images', 1)],
    cells: (sts, now) => {
      const containers = (sts.spec?.template?.spec?.containers ?? []) as Array<{ name: string; image: string }>;
      return [sts.metadata.name, `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 1}`, age(sts, now), containers.map((c) => c.name).join(','), containers.map((c) => c.image).join(',')];
    },
  },
  ControllerRevision: {
    columns: [nameCol, col('Controller'), col('Revision', 0, 'integer'), ageCol],
    cells: (cr, now) => [cr.metadata.name, controllerOf(cr), Number(cr.revision ?? 0), age(cr, now)],
  },
};
