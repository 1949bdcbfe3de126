import type { StatusCause } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { nameProblems } from '../../kube/dns-names.js';
import { semanticEqual } from '../../kube/canonical-json.js';
import { quantityValue } from '../../kube/quantity.js';
import { forbidden, invalidValue, notSupported, required } from './field-error.js';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];

function accessModes(modes: unknown, at: string): StatusCause[] {
  if (!Array.isArray(modes) || modes.length === 0) return [required(at, 'at least 1 access mode is required')];
  const causes = modes.filter((m) => !ACCESS_MODES.includes(m)).map((m) => notSupported(at, m, ACCESS_MODES));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) causes.push(forbidden(at, 'may not use ReadWriteOncePod with other access modes'));
  return causes;
}

/** A storage size: a quantity greater than zero. */
function storageSize(value: unknown, at: string): StatusCause[] {
  if (value === undefined || value === null || value === '') return [required(at)];
  const bytes = quantityValue(value);
  if (bytes === undefined) return [invalidValue(at, value, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")];
  if (bytes <= 0) return [invalidValue(at, value, 'must be greater than zero')];
  return [];
}

function className(value: unknown, at: string): StatusCause[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value !== 'string') return [invalidValue(at, value, 'must be a string')];
  return nameProblems(value, 'subdomain').map((p) => invalidValue(at, value, p));
}

/** ValidatePersistentVolumeClaimSpec: access modes, a storage request, a class name, a volume mode. */
export function validateClaimSpec(spec: any, at: string): StatusCause[] {
  if (!spec || typeof spec !== 'object') return [required(at)];
  const causes = [...accessModes(spec.accessModes, `${at}.accessModes`), ...storageSize(spec.resources?.requests?.storage, `${at}.resources[storage]`), ...className(spec.storageClassName, `${at}.storageClassName`)];
  if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(spec.volumeMode)) causes.push(notSupported(`${at}.volumeMode`, spec.volumeMode, VOLUME_MODES));
  return causes;
}

/** A bound claim's spec may change only in its storage request; binding fills volumeName once. */
export function validateClaimUpdate(obj: KubeObject, old: KubeObject): StatusCause[] {
  const strip = (spec: any) => {
    const { resources: _r, volumeAttributesClassName: _v, ...rest } = spec ?? {};
    if (!old.spec?.volumeName) delete rest.volumeName;
    if (!old.spec?.storageClassName) delete rest.storageClassName;
    return rest;
  };
  const causes: StatusCause[] = [];
  if (!semanticEqual(strip(obj.spec), strip(old.spec))) causes.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  const [was, now] = [quantityValue(old.spec?.resources?.requests?.storage), quantityValue(obj.spec?.resources?.requests?.storage)];
  if (old.spec?.volumeName && was !== undefined && now !== undefined && now < was) causes.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  return causes;
}

const VOLUME_SOURCES = ['hostPath', 'local', 'nfs', 'csi', 'iscsi', 'fc', 'rbd', 'cephfs', 'glusterfs', 'awsElasticBlockStore', 'gcePersistentDisk', 'azureDisk', 'azureFile'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];

/** ValidatePersistentVolume: a capacity, access modes, a reclaim policy and exactly one source. */
export function validatePersistentVolume(pv: KubeObject): StatusCause[] {
  const spec = pv.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const causes = [...accessModes(spec.accessModes, 'spec.accessModes'), ...storageSize(spec.capacity?.storage, 'spec.capacity[storage]'), ...className(spec.storageClassName, 'spec.storageClassName')];
  if (spec.persistentVolumeReclaimPolicy !== undefined && !RECLAIM_POLICIES.includes(spec.persistentVolumeReclaimPolicy)) {
    causes.push(notSupported('spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy, RECLAIM_POLICIES));
  }
  const sources = VOLUME_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (sources.length === 0) causes.push(required('spec', 'must specify a volume type'));
  else if (sources.length > 1) causes.push(forbidden(`spec.${sources[1]}`, 'may not specify more than 1 volume type'));
  if (spec.hostPath && !spec.hostPath.path) causes.push(required('spec.hostPath.path'));
  if (spec.local && !spec.local.path) causes.push(required('spec.local.path'));
  return causes;
}

/** ValidateStorageClass: a provisioner, and known reclaim and binding modes. */
export function validateStorageClass(sc: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  if (typeof sc.provisioner !== 'string' || !sc.provisioner) causes.push(required('provisioner'));
  if (sc.reclaimPolicy !== undefined && sc.reclaimPolicy !== 'Delete' && sc.reclaimPolicy !== 'Retain') causes.push(notSupported('reclaimPolicy', sc.reclaimPolicy, ['Delete', 'Retain']));
  const mode = sc.volumeBindingMode;
  if (mode !== undefined && mode !== 'Immediate' && mode !== 'WaitForFirstConsumer') causes.push(notSupported('volumeBindingMode', mode, ['Immediate', 'WaitForFirstConsumer']));
  return causes;
}

/** A StorageClass' provisioner, parameters, reclaim policy and binding mode are fixed once made. */
export function validateStorageClassUpdate(sc: KubeObject, old: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  if (sc.provisioner !== old.provisioner) causes.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (!semanticEqual(sc.parameters ?? {}, old.parameters ?? {})) causes.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) causes.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if (sc.volumeBindingMode !== old.volumeBindingMode) causes.push(forbidden('volumeBindingMode', 'field is immutable'));
  return causes;
}

const RETENTION = ['Delete', 'Retain'];

/** ValidateStatefulSetSpec beyond the workload rules: policies, partition, restartPolicy Always, claim templates. */
export function validateStatefulSet(sts: KubeObject): StatusCause[] {
  const spec = sts.spec ?? {};
  const causes: StatusCause[] = [];
  const policy = spec.podManagementPolicy;
  if (policy !== undefined && policy !== 'OrderedReady' && policy !== 'Parallel') causes.push(notSupported('spec.podManagementPolicy', policy, ['OrderedReady', 'Parallel']));
  const strategy = spec.updateStrategy?.type;
  if (strategy !== undefined && strategy !== 'RollingUpdate' && strategy !== 'OnDelete') causes.push(notSupported('spec.updateStrategy.type', strategy, ['OnDelete', 'RollingUpdate']));
  const partition = spec.updateStrategy?.rollingUpdate?.partition;
  if (partition !== undefined && (!Number.isInteger(partition) || partition < 0)) causes.push(invalidValue('spec.updateStrategy.rollingUpdate.partition', partition, 'must be greater than or equal to 0'));
  if (strategy === 'OnDelete' && spec.updateStrategy?.rollingUpdate) causes.push(invalidValue('spec.updateStrategy.rollingUpdate', spec.updateStrategy.rollingUpdate, 'only allowed for updateStrategy \'RollingUpdate\''));
  const restart = spec.template?.spec?.restartPolicy;
  if (restart !== undefined && restart !== 'Always') causes.push(notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  for (const key of ['whenDeleted', 'whenScaled'] as const) {
    const value = spec.persistentVolumeClaimRetentionPolicy?.[key];
    if (value !== undefined && !RETENTION.includes(value)) causes.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${key}`, value, RETENTION));
  }
  ((spec.volumeClaimTemplates ?? []) as KubeObject[]).forEach((t, i) => {
    const at = `spec.volumeClaimTemplates[${i}]`;
    if (!t?.metadata?.name) causes.push(required(`${at}.metadata.name`));
    causes.push(...validateClaimSpec(t?.spec, `${at}.spec`));
  });
  return causes;
}

const MUTABLE_SET_FIELDS = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'revisionHistoryLimit'];

/** ValidateStatefulSetUpdate: only replicas, ordinals, template, updateStrategy, the retention policy and minReadySeconds may change. */
export function validateStatefulSetUpdate(sts: KubeObject, old: KubeObject): StatusCause[] {
  const fixed = (spec: any) => Object.fromEntries(Object.entries(spec ?? {}).filter(([k]) => !MUTABLE_SET_FIELDS.includes(k)));
  if (semanticEqual(fixed(sts.spec), fixed(old.spec))) return [];
  return [forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
}
