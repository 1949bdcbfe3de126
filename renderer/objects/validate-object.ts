import type { FieldPath } from '../yaml/parse-documents.js';
import { isClusterScoped } from '../../runtime/kube/cluster-scoped.js';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN } from '../../runtime/kube/dns-names.js';
import { syncRole, SyncAnnotationError, type SyncRole } from '../../runtime/kube/sync-annotations.js';

/** A problem with one field of an object. */
export interface ObjectIssue {
  path: FieldPath;
  message: string;
}

/** Kinds whose names must be DNS-1123 labels (they become DNS names or env var prefixes). */
const labelNamed = new Set(['Namespace', 'Service']);
const workloads = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** `spec.containers[0].image`, the way kubectl names fields. */
export function fieldName(path: FieldPath): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s === '' ? p : `${s}.${p}`), '');
}

const isMap = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkName(name: unknown, label: boolean, path: FieldPath, issues: ObjectIssue[]): void {
  if (typeof name !== 'string' || name === '') {
    issues.push({ path, message: `${fieldName(path)} is required and must be a string` });
    return;
  }
  const max = label ? 63 : 253;
  const re = label ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
  if (name.length > max || !re.test(name)) {
    issues.push({
      path,
      message: `${fieldName(path)} "${name}" is not a valid DNS-1123 ${label ? 'label' : 'subdomain'} (lowercase letters, digits and "-"${label ? '' : ', "."'}, start and end alphanumeric, at most ${max} characters)`,
    });
  }
}

function checkStringMap(m: unknown, path: FieldPath, issues: ObjectIssue[], what: string): void {
  if (m === undefined) return;
  if (!isMap(m)) {
    issues.push({ path, message: `${fieldName(path)} must be a map of strings` });
    return;
  }
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'string') issues.push({ path: [...path, k], message: `${what} "${k}" must be a string, got ${v === null ? 'null' : typeof v} (quote it)` });
  }
}

function checkPodSpec(spec: unknown, path: FieldPath, issues: ObjectIssue[]): void {
  if (!isMap(spec)) {
    issues.push({ path, message: `${fieldName(path)} is required` });
    return;
  }
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    issues.push({ path: [...path, 'containers'], message: `${fieldName([...path, 'containers'])} must list at least one container` });
    return;
  }
  for (const key of ['initContainers', 'containers'] as const) {
    const list = spec[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      issues.push({ path: [...path, key], message: `${fieldName([...path, key])} must be a list` });
      continue;
    }
    list.forEach((c, i) => {
      const cp = [...path, key, i];
      if (!isMap(c)) return issues.push({ path: cp, message: `${fieldName(cp)} must be a mapping` });
      checkName(c.name, true, [...cp, 'name'], issues);
      if (typeof c.image !== 'string' || c.image === '') issues.push({ path: [...cp, 'image'], message: `${fieldName(cp)}.image is required` });
      if (c.ports !== undefined && !Array.isArray(c.ports)) issues.push({ path: [...cp, 'ports'], message: `${fieldName(cp)}.ports must be a list` });
      (Array.isArray(c.ports) ? c.ports : []).forEach((p: any, j: number) => {
        const port = p?.containerPort;
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
          issues.push({ path: [...cp, 'ports', j, 'containerPort'], message: `${fieldName(cp)}.ports[${j}].containerPort must be a number 1-65535, got ${JSON.stringify(port)}` });
        }
      });
      (Array.isArray(c.env) ? c.env : []).forEach((e: any, j: number) => {
        if (e?.value !== undefined && typeof e.value !== 'string') {
          issues.push({ path: [...cp, 'env', j, 'value'], message: `env ${e?.name ?? j}: value must be a string, got ${typeof e.value} (quote it)` });
        }
      });
    });
  }
}

/** The object's sync role (hook, wave) from its annotations; a wrong value is an issue on that annotation. */
function checkSyncRole(annotations: unknown, issues: ObjectIssue[]): SyncRole | undefined {
  if (!isMap(annotations)) return undefined;
  try {
    return syncRole(annotations as Record<string, string>);
  } catch (err) {
    if (!(err instanceof SyncAnnotationError)) throw err;
    issues.push({ path: ['metadata', 'annotations', err.annotation], message: err.message });
    return undefined;
  }
}

/** Checks what Kubernetes would refuse: identity fields everywhere, required fields of known kinds. */
export function validateObject(obj: Record<string, any>): ObjectIssue[] {
  const issues: ObjectIssue[] = [];
  if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '') issues.push({ path: ['apiVersion'], message: 'apiVersion is required' });
  if (typeof obj.kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(obj.kind)) {
    issues.push({ path: ['kind'], message: obj.kind === undefined ? 'kind is required' : `kind ${JSON.stringify(obj.kind)} is not a Kubernetes kind name` });
  }
  if (!isMap(obj.metadata)) {
    issues.push({ path: ['metadata'], message: 'metadata is required (with at least metadata.name)' });
    return issues;
  }
  const md = obj.metadata;
  const role = checkSyncRole(md.annotations, issues);
  if (role?.kind === 'hook' && md.name === undefined && typeof md.generateName === 'string') {
    // A hook may be named by the cluster, new at each sync (Argo CD's practice); the prefix must leave room for 5 characters.
    checkName(`${md.generateName}x`, labelNamed.has(obj.kind), ['metadata', 'generateName'], issues);
  } else {
    checkName(md.name, labelNamed.has(obj.kind), ['metadata', 'name'], issues);
  }
  if (md.namespace !== undefined && isClusterScoped(obj.kind)) {
    issues.push({ path: ['metadata', 'namespace'], message: `${obj.kind} is cluster-scoped: remove metadata.namespace` });
  } else if (md.namespace !== undefined) checkName(md.namespace, true, ['metadata', 'namespace'], issues);
  checkStringMap(md.labels, ['metadata', 'labels'], issues, 'label');
  checkStringMap(md.annotations, ['metadata', 'annotations'], issues, 'annotation');
  const spec = obj.spec;
  switch (obj.kind) {
    case 'Pod':
      checkPodSpec(spec, ['spec'], issues);
      break;
    case 'Service':
      if (spec !== undefined && !isMap(spec)) issues.push({ path: ['spec'], message: 'spec must be a mapping' });
      else if (spec?.type !== 'ExternalName' && spec?.clusterIP !== 'None' && (!Array.isArray(spec?.ports) || spec.ports.length === 0)) {
        issues.push({ path: ['spec', 'ports'], message: 'spec.ports must list at least one port' });
      } else {
        (spec?.ports ?? []).forEach((p: any, i: number) => {
          if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535) {
            issues.push({ path: ['spec', 'ports', i, 'port'], message: `spec.ports[${i}].port must be a number 1-65535, got ${JSON.stringify(p?.port)}` });
          }
        });
      }
      break;
    case 'ConfigMap':
      checkStringMap(obj.data, ['data'], issues, 'data key');
      break;
    case 'Secret':
      checkStringMap(obj.stringData, ['stringData'], issues, 'stringData key');
      checkStringMap(obj.data, ['data'], issues, 'data key');
      for (const [k, v] of Object.entries(isMap(obj.data) ? obj.data : {})) {
        if (typeof v === 'string' && !/^[A-Za-z0-9+/]*={0,2}$/.test(v.replace(/\s+/g, ''))) {
          issues.push({ path: ['data', k], message: `data key "${k}" must be base64 (use stringData for plain text, or b64enc)` });
        }
      }
      break;
    case 'Job':
      checkPodSpec(spec?.template?.spec, ['spec', 'template', 'spec'], issues);
      break;
    case 'CronJob':
      if (typeof spec?.schedule !== 'string') issues.push({ path: ['spec', 'schedule'], message: 'spec.schedule is required' });
      checkPodSpec(spec?.jobTemplate?.spec?.template?.spec, ['spec', 'jobTemplate', 'spec', 'template', 'spec'], issues);
      break;
    default:
      if (workloads.has(obj.kind)) checkWorkload(spec, issues);
  }
  return issues;
}

function checkWorkload(spec: any, issues: ObjectIssue[]): void {
  if (!isMap(spec)) {
    issues.push({ path: ['spec'], message: 'spec is required' });
    return;
  }
  const match = spec.selector?.matchLabels;
  if (!isMap(spec.selector) || (!isMap(match) && !Array.isArray(spec.selector.matchExpressions))) {
    issues.push({ path: ['spec', 'selector'], message: 'spec.selector.matchLabels is required' });
  }
  checkPodSpec(spec.template?.spec, ['spec', 'template', 'spec'], issues);
  const labels = spec.template?.metadata?.labels;
  if (isMap(match)) {
    for (const [k, v] of Object.entries(match)) {
      if (!isMap(labels) || labels[k] !== v) {
        issues.push({ path: ['spec', 'template', 'metadata', 'labels'], message: `spec.selector.matchLabels ${k}=${String(v)} does not match spec.template.metadata.labels` });
        break;
      }
    }
  }
  if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0)) {
    issues.push({ path: ['spec', 'replicas'], message: `spec.replicas must be a whole number >= 0, got ${JSON.stringify(spec.replicas)}` });
  }
}
