import { StatusError, type StatusCause } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { selectorIsEmpty, selectorMatches } from '../../kube/label-selector.js';
import type { ResourceType } from '../../resources/registry.js';
import { labelValueProblems, nameProblems, qualifiedNameProblems, type NameRule } from '../../kube/dns-names.js';
import { invalidValue, required } from './field-error.js';
import { validateHorizontalPodAutoscaler } from './validate-hpa.js';
import { validatePodSpec, validateServicePorts } from './validate-pod-spec.js';
import { validatePodUpdate } from './validate-pod-update.js';
import { validateIngressSpec } from '../../ingress/validate-ingress.js';
import { validateIngressClassSpec, validateIngressClassUpdate } from './validate-ingress-class.js';
import { validateNetworkPolicySpec } from './validate-network-policy.js';
import { validateRbacObject, validateRbacUpdate } from './validate-rbac.js';
import { validateCronJob, validateJob, validateJobUpdate } from './validate-job.js';
import { validateClaimSpec, validateClaimUpdate, validatePersistentVolume, validateStatefulSet, validateStatefulSetUpdate, validateStorageClass, validateStorageClassUpdate } from './validate-storage.js';
import { validateLimitRange, validateResourceQuota } from './validate-quota.js';
import { validateDaemonSet, validateDaemonSetUpdate, validatePodDisruptionBudget, validateReplicationController } from './validate-daemonset.js';

/** Which DNS rule each kind's name follows, as Kubernetes' validation does. */
const NAME_RULES: Record<string, NameRule> = { Namespace: 'label', Service: 'dns1035' };

export function validateMetadata(obj: KubeObject, type: ResourceType): StatusCause[] {
  const causes: StatusCause[] = [];
  const meta = obj.metadata;
  const rule = NAME_RULES[type.kind] ?? 'subdomain';
  if (!meta.name && !meta.generateName) causes.push({ ...required('metadata.name'), message: 'Required value: name or generateName is required' });
  if (!meta.name && typeof meta.generateName === 'string' && meta.generateName) {
    // A prefix is checked as a name with its trailing dash masked (ValidateNameFunc's prefix mode).
    const masked = meta.generateName.replace(/-$/, 'a');
    for (const p of nameProblems(masked, rule)) causes.push(invalidValue('metadata.generateName', meta.generateName, p));
  }
  if (meta.name !== undefined) {
    if (typeof meta.name !== 'string') causes.push(invalidValue('metadata.name', meta.name, 'must be a string'));
    else for (const p of nameProblems(meta.name, rule)) causes.push(invalidValue('metadata.name', meta.name, p));
  }
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    for (const p of qualifiedNameProblems(key)) causes.push(invalidValue('metadata.labels', key, p));
    if (typeof value !== 'string') causes.push(invalidValue(`metadata.labels`, value, 'label values must be strings'));
    else for (const p of labelValueProblems(value)) causes.push(invalidValue('metadata.labels', value, p));
  }
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    for (const p of qualifiedNameProblems(key)) causes.push(invalidValue('metadata.annotations', key, p));
    if (typeof value !== 'string') causes.push(invalidValue('metadata.annotations', value, 'annotation values must be strings'));
  }
  return causes;
}

function validateWorkload(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = obj.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0)) {
    causes.push(invalidValue('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  }
  const selector = spec.selector;
  const labels = (spec.template?.metadata?.labels ?? {}) as Record<string, string>;
  if (!selector) causes.push(required('spec.selector'));
  else if (selectorIsEmpty(selector)) {
    causes.push(invalidValue('spec.selector', selector, `empty selector is invalid for ${obj.kind.toLowerCase()}`));
  } else if (!selectorMatches(selector, labels)) {
    causes.push(invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  if (!spec.template) causes.push(required('spec.template'));
  else causes.push(...validatePodSpec(spec.template.spec, 'spec.template.spec'));
  return causes;
}

function validateSpec(obj: KubeObject, type: ResourceType): StatusCause[] {
  switch (type.kind) {
    case 'Pod':
      return validatePodSpec(obj.spec, 'spec');
    case 'Deployment':
    case 'ReplicaSet':
      return validateWorkload(obj);
    case 'DaemonSet':
      return validateDaemonSet(obj);
    case 'ReplicationController':
      return validateReplicationController(obj);
    case 'HorizontalPodAutoscaler':
      return validateHorizontalPodAutoscaler(obj);
    case 'PodDisruptionBudget':
      return validatePodDisruptionBudget(obj);
    case 'StatefulSet':
      return validateWorkload(obj).concat(validateStatefulSet(obj));
    case 'PersistentVolumeClaim':
      return validateClaimSpec(obj.spec, 'spec');
    case 'PersistentVolume':
      return validatePersistentVolume(obj);
    case 'StorageClass':
      return validateStorageClass(obj);
    case 'Job':
      return validateJob(obj);
    case 'CronJob':
      return validateCronJob(obj);
    case 'Service':
      return validateServicePorts(obj.spec);
    case 'ConfigMap':
      return validateDataKeys(obj.data, 'data').concat(validateDataKeys(obj.binaryData, 'binaryData'));
    case 'Secret':
      return validateDataKeys(obj.data, 'data').concat(validateDataKeys(obj.stringData, 'stringData'));
    case 'Ingress':
      return validateIngressSpec(obj.spec, 'spec');
    case 'IngressClass':
      return validateIngressClassSpec(obj.spec, 'spec');
    case 'NetworkPolicy':
      return validateNetworkPolicySpec(obj.spec, 'spec');
    case 'PriorityClass':
      return validatePriorityClass(obj);
    case 'Role':
    case 'ClusterRole':
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return validateRbacObject(obj);
    case 'ResourceQuota':
      return validateResourceQuota(obj);
    case 'LimitRange':
      return validateLimitRange(obj);
    default:
      return [];
  }
}

/** ValidatePriorityClass: an int32 value, no higher than 1e9 except for system- classes, and a known preemption policy. */
function validatePriorityClass(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const value = obj.value as unknown;
  if (typeof value !== 'number' || !Number.isInteger(value)) causes.push(required('value'));
  else if (value > 1_000_000_000 && !String(obj.metadata.name).startsWith('system-')) {
    causes.push(invalidValue('value', value, 'must be less than or equal to 1000000000'));
  }
  const policy = obj.preemptionPolicy as unknown;
  if (policy !== undefined && policy !== 'PreemptLowerPriority' && policy !== 'Never') {
    causes.push({ reason: 'FieldValueNotSupported', field: 'preemptionPolicy', message: `Unsupported value: "${String(policy)}": supported values: "Never", "PreemptLowerPriority"` });
  }
  return causes;
}

/** The rules that compare an update with the object it replaces (Kubernetes' Validate*Update). */
function validateUpdate(obj: KubeObject, old: KubeObject, type: ResourceType): StatusCause[] {
  switch (type.kind) {
    case 'Pod':
      return validatePodUpdate(obj, old);
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return validateRbacUpdate(obj, old);
    case 'IngressClass':
      return validateIngressClassUpdate(obj.spec, old.spec, 'spec');
    case 'Job':
      return validateJobUpdate(obj, old);
    case 'DaemonSet':
      return validateDaemonSetUpdate(obj, old);
    case 'StatefulSet':
      return validateStatefulSetUpdate(obj, old);
    case 'PersistentVolumeClaim':
      return validateClaimUpdate(obj, old);
    case 'StorageClass':
      return validateStorageClassUpdate(obj, old);
    case 'PriorityClass':
      return obj.value === old.value ? [] : [invalidValue('value', obj.value, 'field is immutable')];
    default:
      return [];
  }
}

const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

function validateDataKeys(data: unknown, path: string): StatusCause[] {
  if (data === undefined || data === null) return [];
  if (typeof data !== 'object' || Array.isArray(data)) return [invalidValue(path, data, 'must be a map of string keys')];
  return Object.keys(data)
    .filter((k) => !DATA_KEY.test(k) || k.length > 253)
    .map((k) => invalidValue(`${path}[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
}

/**
 * Checks an object before it is written: names per kind, labels, and the
 * workload rules users most often break; with `old` (an update of the object,
 * not of its status: a status write keeps the stored spec), the fields that
 * may not change. Throws 422 Invalid with one cause per field, worded as
 * Kubernetes words them.
 */
export function validateObject(obj: KubeObject, type: ResourceType, old?: KubeObject, status = false): void {
  const causes = [...validateMetadata(obj, type), ...validateSpec(obj, type), ...(old && !status ? validateUpdate(obj, old, type) : [])];
  if (causes.length === 0) return;
  const qualified = type.group ? `${type.kind}.${type.group}` : type.kind;
  const name = obj.metadata.name ?? obj.metadata.generateName ?? '';
  // Kubernetes' ErrorList.ToAggregate prints a repeated error once; the causes keep every one.
  const list = [...new Set(causes.map((c) => `${c.field}: ${c.message}`))];
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  throw new StatusError(422, 'Invalid', `${qualified} "${name}" is invalid: ${summary}`, {
    name,
    group: type.group,
    kind: type.kind,
    causes,
  });
}
