import type { KubeObject } from '../../kube/object.js';
import { defaultClaim, defaultPersistentVolume, defaultStatefulSet, defaultStorageClass } from './default-storage.js';
import { defaultDaemonSet, defaultReplicationController } from './default-daemonset.js';
import { defaultHorizontalPodAutoscaler } from './default-hpa.js';

type Obj = Record<string, any>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function imageTag(image: string): string | undefined {
  const afterSlash = image.slice(image.lastIndexOf('/') + 1);
  if (afterSlash.includes('@')) return '@digest';
  const colon = afterSlash.lastIndexOf(':');
  return colon >= 0 ? afterSlash.slice(colon + 1) : undefined;
}

function defaultProbe(probe: unknown): void {
  if (!isObj(probe)) return;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  if (isObj(probe.httpGet)) probe.httpGet.scheme ??= 'HTTP';
}

function defaultContainer(c: unknown): void {
  if (!isObj(c)) return;
  if (typeof c.image === 'string' && c.imagePullPolicy === undefined) {
    const tag = imageTag(c.image);
    c.imagePullPolicy = tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
  }
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of Array.isArray(c.ports) ? c.ports : []) if (isObj(p)) p.protocol ??= 'TCP';
  for (const e of Array.isArray(c.env) ? c.env : []) {
    if (isObj(e) && isObj(e.valueFrom) && isObj(e.valueFrom.fieldRef)) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

function defaultPodSpec(spec: unknown): void {
  if (!isObj(spec)) return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const list of [spec.initContainers, spec.containers]) for (const c of Array.isArray(list) ? list : []) defaultContainer(c);
  // defaultHostNetworkPorts: a host-network pod's ports are the host's own.
  if (spec.hostNetwork !== true) return;
  for (const list of [spec.initContainers, spec.containers]) {
    for (const c of Array.isArray(list) ? list : []) for (const p of isObj(c) && Array.isArray(c.ports) ? c.ports : []) if (isObj(p) && !p.hostPort) p.hostPort = p.containerPort;
  }
}

function defaultDeployment(spec: Obj): void {
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.strategy ??= {};
  if (isObj(spec.strategy)) {
    spec.strategy.type ??= 'RollingUpdate';
    if (spec.strategy.type === 'RollingUpdate') {
      spec.strategy.rollingUpdate ??= {};
      spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
      spec.strategy.rollingUpdate.maxSurge ??= '25%';
    }
  }
}

/** SetDefaults_Job; the selector and its labels come at create, once the uid is known (the store's job-selector). */
export function defaultJobSpec(spec: Obj): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.manualSelector ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
}

/** SetDefaults_CronJob. The job template's own spec gets no Job defaults (as in Kubernetes); its pod template does. */
function defaultCronJob(spec: Obj): void {
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
}

function defaultService(spec: Obj): void {
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!isObj(p)) continue;
    p.protocol ??= 'TCP';
    if (p.targetPort === undefined && p.port !== undefined) p.targetPort = p.port;
  }
}

/** Kubernetes stores `stringData` only as base64 `data` (stringData wins on a clash). */
function foldStringData(secret: KubeObject): void {
  const stringData = secret.stringData;
  if (!isObj(stringData)) return;
  const data: Obj = isObj(secret.data) ? { ...secret.data } : {};
  for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(String(value), 'utf8').toString('base64');
  secret.data = data;
  delete secret.stringData;
}

/** A policy without policyTypes governs ingress, and egress too when it has egress rules. */
function defaultNetworkPolicy(spec: Obj): void {
  for (const list of [spec.ingress, spec.egress]) {
    for (const rule of Array.isArray(list) ? list : []) {
      for (const p of isObj(rule) && Array.isArray(rule.ports) ? rule.ports : []) if (isObj(p)) p.protocol ??= 'TCP';
    }
  }
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

/**
 * The defaults Kubernetes fills in when it decodes an object (its
 * SetDefaults_* functions) for the fields users and controllers read back:
 * rollout strategy, restart policy, pull policy, port protocols, probe timings,
 * NetworkPolicy policyTypes.
 * Mutates and returns `obj`.
 */
export function applyDefaults(obj: KubeObject): KubeObject {
  const spec = obj.spec;
  switch (obj.kind) {
    case 'HorizontalPodAutoscaler':
      defaultHorizontalPodAutoscaler(obj);
      break;
    case 'PriorityClass':
      // SetDefaults_PriorityClass; kubectl describe dereferences it.
      obj.preemptionPolicy ??= 'PreemptLowerPriority';
      break;
    case 'Pod':
      defaultPodSpec(spec);
      // The ServiceAccount admission plugin's default, on pods only (templates keep theirs unset); serviceAccount is its deprecated mirror.
      if (isObj(spec)) {
        spec.serviceAccountName ??= typeof spec.serviceAccount === 'string' && spec.serviceAccount ? spec.serviceAccount : 'default';
        spec.serviceAccount = spec.serviceAccountName;
      }
      break;
    case 'Deployment':
      if (isObj(spec)) {
        defaultDeployment(spec);
        defaultPodSpec(spec.template?.spec);
      }
      break;
    case 'ReplicaSet':
      if (isObj(spec)) {
        spec.replicas ??= 1;
        defaultPodSpec(spec.template?.spec);
      }
      break;
    case 'DaemonSet':
      if (isObj(spec)) {
        defaultDaemonSet(spec);
        defaultPodSpec(spec.template?.spec);
      }
      break;
    case 'ReplicationController':
      if (isObj(spec)) {
        defaultReplicationController(obj);
        defaultPodSpec(spec.template?.spec);
      }
      break;
    case 'StatefulSet':
      if (isObj(spec)) {
        defaultStatefulSet(spec);
        defaultPodSpec(spec.template?.spec);
      }
      break;
    case 'PersistentVolumeClaim':
      defaultClaim(obj);
      break;
    case 'PersistentVolume':
      defaultPersistentVolume(obj);
      break;
    case 'StorageClass':
      defaultStorageClass(obj);
      break;
    case 'Job':
      if (isObj(spec)) {
        defaultJobSpec(spec);
        defaultPodSpec(spec.template?.spec);
      }
      break;
    case 'CronJob':
      if (isObj(spec)) {
        defaultCronJob(spec);
        defaultPodSpec(spec.jobTemplate?.spec?.template?.spec);
      }
      break;
    case 'Service':
      if (isObj(spec)) defaultService(spec);
      break;
    case 'Secret':
      obj.type ??= 'Opaque';
      foldStringData(obj);
      break;
    case 'NetworkPolicy':
      if (isObj(spec)) defaultNetworkPolicy(spec);
      break;
    case 'IngressClass':
      if (isObj(spec) && isObj(spec.parameters)) spec.parameters.scope ??= 'Cluster';
      break;
  }
  return obj;
}
