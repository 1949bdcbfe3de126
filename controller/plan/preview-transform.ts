import type { PreviewInstance } from '../apps/app-spec.js';
import { isClusterScoped } from '../../runtime/kube/cluster-scoped.js';
import { normalizeSysctlName, SAFE_SYSCTLS } from '../../runtime/kube/sysctl-names.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { previewHost, previewNamespace } from '../apps/preview-names.js';

/** Marks every object of a preview with its request number; also on the preview's namespace. */
export const PREVIEW_LABEL = 'baton.dev/preview';
/**
 * A Secret goes to previews only when it says so with this annotation set to
 * "true": previews run unreviewed code, production credentials stay out.
 */
export const PREVIEW_SECRET_ANNOTATION = 'baton.dev/preview';

/** An object a preview leaves out of `pr-N`: its kind and name (never its content: Secrets among them) and why, as a clause. */
export interface DroppedObject {
  kind: string;
  name: string;
  /** `its pods use the host's network (hostNetwork), which a preview may not`. */
  reason: string;
}

export interface PreviewObjects {
  objects: KubeObject[];
  /** What was left out, and why, in render order (shown in the app's sync message: droppedMessage). */
  dropped: DroppedObject[];
}

/**
 * Turns an app's rendered objects into its preview's: every namespaced
 * object moves into `pr-N` (whatever namespace the manifests name),
 * cluster-scoped objects are left out (a preview must not change what the
 * whole cluster shares), Secrets not marked for previews are left out, so are
 * what would loosen the preview's fence (NetworkPolicies, Roles and
 * RoleBindings, hand-written Endpoints, workloads whose pods use the host), and
 * every Ingress rule's host `H` becomes `pr-N.H` (TLS hosts too; a rule
 * without a host gets `pr-N.localhost`, and a default backend is dropped).
 */
export function previewObjects(objects: readonly KubeObject[], instance: PreviewInstance): PreviewObjects {
  const dropped: DroppedObject[] = [];
  const out: KubeObject[] = [];
  for (const object of objects) {
    const result = previewObject(object, instance);
    if ('dropped' in result) dropped.push(result.dropped);
    else out.push(result.object);
  }
  return { objects: out, dropped };
}

/** One object as the preview's, or why it stays out of previews. */
export function previewObject(object: KubeObject, instance: PreviewInstance): { object: KubeObject } | { dropped: DroppedObject } {
  const dropped = (reason: string) => ({ dropped: { kind: object.kind, name: object.metadata.name ?? '', reason } });
  if (isClusterScoped(object.kind)) return dropped(`cluster-scoped objects are not part of previews, which change only ${previewNamespace(instance.number)}`);
  const fence = FENCE_KINDS[`${apiGroup(object.apiVersion)}/${object.kind}`];
  if (fence) return dropped(fence);
  const host = hostAccess(object);
  if (host) return dropped(`its pods use ${host}, which a preview may not`);
  if (object.kind === 'Secret' && object.metadata.annotations?.[PREVIEW_SECRET_ANNOTATION] !== 'true') {
    return dropped(`a Secret reaches a preview only with the annotation ${PREVIEW_SECRET_ANNOTATION}: "true"`);
  }
  const moved: KubeObject = {
    ...object,
    metadata: { ...object.metadata, namespace: previewNamespace(instance.number), labels: { ...object.metadata.labels, [PREVIEW_LABEL]: String(instance.number) } },
  };
  return { object: object.kind === 'Ingress' && object.apiVersion.startsWith('networking.k8s.io/') ? rewriteHosts(moved, instance.number) : moved };
}

/**
 * Kinds (by API group) a request's manifests may not bring into its preview: each
 * would loosen what fences `pr-N` in (controller/previews/README.md).
 */
const FENCE_KINDS: Readonly<Record<string, string>> = {
  // Policies add up: any of the request's would widen baton-preview-isolation.
  'networking.k8s.io/NetworkPolicy': "a preview is fenced by baton's NetworkPolicy alone; its own would widen it, as policies add up",
  'rbac.authorization.k8s.io/Role': 'preview pods get no API rights',
  'rbac.authorization.k8s.io/RoleBinding': 'preview pods get no API rights',
  // Kubernetes' CVE-2021-25740: hand-written endpoints forward a Service (and an Ingress) anywhere; edit and admin no longer write them.
  '/Endpoints': "hand-written endpoints could point the preview's Services at production pods",
  'discovery.k8s.io/EndpointSlice': "hand-written endpoints could point the preview's Services at production pods",
};

/** Where each workload kind keeps its pods' spec. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

interface PodSpecView {
  securityContext?: { sysctls?: Array<{ name?: unknown }> };
  hostNetwork?: unknown;
  hostPID?: unknown;
  hostIPC?: unknown;
  volumes?: Array<{ name?: string; hostPath?: unknown }>;
  containers?: ContainerView[];
  initContainers?: ContainerView[];
  ephemeralContainers?: ContainerView[];
}
interface ContainerView {
  name?: string;
  securityContext?: { privileged?: unknown; capabilities?: { add?: unknown[] } };
  ports?: Array<{ hostPort?: unknown }>;
}

/** The capabilities Pod Security's baseline level lets a container add (it has no NET_RAW, which runtimes grant by default). */
const BASELINE_CAPABILITIES = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];

const HOST_NAMESPACES = [
  ['hostNetwork', "the host's network"],
  ['hostPID', "the host's processes"],
  ['hostIPC', "the host's IPC"],
] as const;

/**
 * What of the host a workload's pods would use, as Pod Security's baseline
 * level forbids it (host namespaces, hostPath volumes, privileged containers,
 * added capabilities beyond its list, host ports, sysctls beyond the safe
 * set); undefined when nothing. A runtime started with --allow-privileged
 * would grant a preview each of them. A pod on the host's network is out of
 * every NetworkPolicy's reach, and the others reach the host itself.
 */
function hostAccess(object: KubeObject): string | undefined {
  const path = POD_SPEC_PATHS[object.kind];
  if (!path) return undefined;
  let spec: unknown = object;
  for (const key of path) spec = (spec as Record<string, unknown> | undefined)?.[key];
  if (!spec || typeof spec !== 'object') return undefined;
  const pod = spec as PodSpecView;
  for (const [field, what] of HOST_NAMESPACES) if (pod[field] === true) return `${what} (${field})`;
  const hostPath = (pod.volumes ?? []).find((v) => v?.hostPath !== undefined && v.hostPath !== null);
  if (hostPath) return `the host's files (hostPath volume "${hostPath.name}")`;
  const sysctl = (pod.securityContext?.sysctls ?? []).map((x) => normalizeSysctlName(String(x?.name ?? ''))).find((name) => !SAFE_SYSCTLS.includes(name));
  if (sysctl !== undefined) return `the kernel's settings (sysctl ${sysctl}, not one of the safe set)`;
  for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? []), ...(pod.ephemeralContainers ?? [])]) {
    if (c?.securityContext?.privileged === true) return `the host's devices (privileged container "${c.name}")`;
    const added = (c?.securityContext?.capabilities?.add ?? []).map((cap) => String(cap).toUpperCase().replace(/^CAP_/, '')).find((cap) => !BASELINE_CAPABILITIES.includes(cap));
    if (added !== undefined) return `the host's kernel (capability ${added} added to container "${c.name}")`;
    const port = (c?.ports ?? []).find((p) => p?.hostPort !== undefined && p.hostPort !== null && p.hostPort !== 0);
    if (port) return `a port of the host (hostPort ${String(port.hostPort)})`;
  }
  return undefined;
}

function apiGroup(apiVersion: string | undefined): string {
  const slash = (apiVersion ?? '').indexOf('/');
  return slash < 0 ? '' : apiVersion!.slice(0, slash);
}

/** The preview's namespace as an object, marked with the request number. */
export function previewNamespaceObject(number: number): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: previewNamespace(number), labels: { [PREVIEW_LABEL]: String(number) } } };
}

/** The hosts of a (preview) Ingress, in rule order, for its URL. */
export function ingressHosts(object: KubeObject): string[] {
  const rules = ((object as { spec?: { rules?: Array<{ host?: unknown }> } }).spec?.rules ?? []) as Array<{ host?: unknown }>;
  return rules.map((r) => r.host).filter((h): h is string => typeof h === 'string' && h.length > 0);
}

function rewriteHosts(ingress: KubeObject, number: number): KubeObject {
  const spec = structuredClone((ingress as { spec?: Record<string, unknown> }).spec ?? {}) as {
    rules?: Array<{ host?: string }>;
    tls?: Array<{ hosts?: string[] }>;
  };
  // A rule without a host (or a default backend) would answer for every host, production's too.
  for (const rule of spec.rules ?? []) rule.host = rule.host ? previewHost(number, rule.host) : `${previewNamespace(number)}.localhost`;
  delete (spec as { defaultBackend?: unknown }).defaultBackend;
  for (const tls of spec.tls ?? []) if (tls.hosts) tls.hosts = tls.hosts.map((h) => previewHost(number, h));
  return { ...ingress, spec } as KubeObject;
}
