import type { KubeObject } from '../../kube/object.js';
import { ageOf, humanDuration } from './human-duration.js';
import { podSummary } from './pod-status.js';
import { rbacColumnSets } from './rbac-columns.js';
import { storageColumnSets } from './storage-columns.js';
import { hpaColumnSets } from './hpa-columns.js';

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  /** 0 for the default view, 1 for `-o wide` only. */
  priority: number;
}

export interface ColumnSet {
  columns: ColumnDefinition[];
  cells(obj: KubeObject, now: number): unknown[];
}

function col(name: string, type: ColumnDefinition['type'] = 'string', priority = 0, format = ''): ColumnDefinition {
  return { name, type, format, description: `${name} column`, priority };
}

const nameCol = { ...col('Name', 'string', 0, 'name'), description: 'Name must be unique within a namespace.' };
const ageCol = { ...col('Age'), description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' };

const none = (v: string | undefined | null) => (v ? v : '<none>');
const age = (o: KubeObject, now: number) => ageOf(o.metadata.creationTimestamp, now);

/** metav1.FormatLabelSelector: requirements sorted by key, set values sorted, `<none>` for an empty selector. */
function selectorText(selector: any): string {
  if (!selector) return '<none>';
  const parts: Array<[string, string]> = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => [k, `${k}=${v}`]);
  const values = (e: any) => [...new Set<string>(e.values ?? [])].sort().join(',');
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push([e.key, `${e.key} in (${values(e)})`]);
    else if (e.operator === 'NotIn') parts.push([e.key, `${e.key} notin (${values(e)})`]);
    else if (e.operator === 'Exists') parts.push([e.key, e.key]);
    else if (e.operator === 'DoesNotExist') parts.push([e.key, `!${e.key}`]);
  }
  parts.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return parts.length ? parts.map(([, text]) => text).join(',') : '<none>';
}

function mapSelectorText(selector: Record<string, string> | undefined): string {
  const parts = Object.entries(selector ?? {}).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(',') : '<none>';
}

/** labels.FormatLabels: `k=v` sorted by key, `<none>` when empty. */
function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : '<none>';
}

function containersAndImages(template: any): [string, string] {
  const containers = (template?.spec?.containers ?? []) as Array<{ name: string; image: string }>;
  return [containers.map((c) => c.name).join(','), containers.map((c) => c.image).join(',')];
}

const workloadWide = [col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)];

function servicePorts(svc: KubeObject): string {
  const ports = (svc.spec?.ports ?? []) as Array<{ port: number; nodePort?: number; protocol?: string }>;
  if (ports.length === 0) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

function serviceExternalIp(svc: KubeObject): string {
  const type = svc.spec?.type ?? 'ClusterIP';
  const external: string[] = svc.spec?.externalIPs ?? [];
  if (type === 'ExternalName') return svc.spec?.externalName ?? '<none>';
  if (type === 'LoadBalancer') {
    const ingress = ((svc.status?.loadBalancer?.ingress ?? []) as Array<{ ip?: string; hostname?: string }>).map((i) => i.ip || i.hostname || '');
    const all = [...ingress.filter(Boolean), ...external];
    return all.length ? all.join(',') : '<pending>';
  }
  return external.length ? external.join(',') : '<none>';
}

function endpointsText(ep: KubeObject): string {
  const list: string[] = [];
  let total = 0;
  // A malformed body (null entries) must still print: skip what is not an object.
  const objects = (list: unknown): any[] => (Array.isArray(list) ? list.filter((x) => x && typeof x === 'object') : []);
  for (const subset of objects(ep.subsets)) {
    const ports = objects(subset.ports) as Array<{ port: number }>;
    for (const addr of objects(subset.addresses) as Array<{ ip: string }>) {
      const targets = ports.length ? ports.map((p) => `${addr.ip}:${p.port}`) : [addr.ip];
      for (const t of targets) {
        total++;
        if (list.length < 3) list.push(t);
      }
    }
  }
  if (total === 0) return '<none>';
  return total > 3 ? `${list.join(',')} + ${total - 3} more...` : list.join(',');
}

function nodeStatus(node: KubeObject): string {
  const ready = ((node.status?.conditions ?? []) as Array<{ type: string; status: string }>).find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(node: KubeObject): string {
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter(Boolean);
  return roles.length ? roles.sort().join(',') : '<none>';
}

function nodeAddress(node: KubeObject, type: string): string {
  const found = ((node.status?.addresses ?? []) as Array<{ type: string; address: string }>).find((a) => a.type === type);
  return found ? found.address : '<none>';
}

function eventLastSeen(ev: KubeObject, now: number): string {
  const last = (ev.lastTimestamp as string) || ((ev.series as any)?.lastObservedTime as string) || (ev.eventTime as string) || ev.metadata.creationTimestamp;
  const first = (ev.firstTimestamp as string) || (ev.eventTime as string) || ev.metadata.creationTimestamp;
  const count = Number((ev.series as any)?.count ?? ev.count ?? 1);
  if (count > 1) return `${ageOf(last, now)} (x${count} over ${ageOf(first, now)})`;
  return ageOf(last, now);
}

function ingressHosts(ing: KubeObject): string {
  const hosts = ((ing.spec?.rules ?? []) as Array<{ host?: string }>).map((r) => r.host || '*');
  if (hosts.length === 0) return '*';
  return hosts.length > 4 ? `${hosts.slice(0, 4).join(',')} + ${hosts.length - 4} more...` : hosts.join(',');
}

function ingressClassParameters(ic: KubeObject): string {
  const p = ic.spec?.parameters;
  if (!p) return '<none>';
  return `${p.kind ?? ''}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name ?? ''}`;
}

function ingressAddress(ing: KubeObject): string {
  return ((ing.status?.loadBalancer?.ingress ?? []) as Array<{ ip?: string; hostname?: string }>)
    .map((i) => i.ip || i.hostname)
    .filter(Boolean)
    .join(',');
}

function hasCondition(obj: KubeObject, type: string): boolean {
  return ((obj.status?.conditions ?? []) as Array<{ type: string; status: string }>).some((c) => c.type === type && c.status === 'True');
}

/** printJob's STATUS: the finished condition first, then terminating, suspended, and the *Target conditions. */
function jobStatus(job: KubeObject): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function jobCompletions(job: KubeObject): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined && job.spec?.completions !== null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism;
  return typeof parallelism === 'number' && parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: KubeObject, now: number): string {
  const start = Date.parse(job.status?.startTime ?? '');
  if (Number.isNaN(start)) return '';
  const end = Date.parse(job.status?.completionTime ?? '');
  return humanDuration((Number.isNaN(end) ? now : end) - start);
}

const boolPtr = (v: unknown) => (v === undefined || v === null ? '<unset>' : v ? 'True' : 'False');

/** printResourceQuota: `name: used/hard` per status.hard entry, limits.* in the second column. */
function quotaColumns(q: KubeObject): [string, string] {
  const hard: Record<string, string> = q.status?.hard ?? {};
  const used: Record<string, string> = q.status?.used ?? {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    (name.split('.')[0] === 'limits' && name.includes('.') ? limit : request).push(`${name}: ${used[name] ?? '0'}/${hard[name]}`);
  }
  return [request.join(', '), limit.join(', ')];
}

/** Kubernetes' own columns per kind, as `kubectl get` prints them. */
export const columnSets: Record<string, ColumnSet> = {
  PriorityClass: {
    columns: [nameCol, col('Value', 'integer'), col('Global-Default', 'boolean'), ageCol, col('PreemptionPolicy', 'string', 1)],
    cells: (pc, now) => [pc.metadata.name, pc.value ?? 0, pc.globalDefault === true, age(pc, now), pc.preemptionPolicy ?? 'PreemptLowerPriority'],
  },
  ResourceQuota: {
    columns: [
      nameCol,
      ageCol,
      { ...col('Request'), description: 'Request represents a minimum amount of cpu/memory that a container may consume.' },
      { ...col('Limit'), description: 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.' },
    ],
    cells: (q, now) => [q.metadata.name, age(q, now), ...quotaColumns(q)],
  },
  LimitRange: {
    columns: [nameCol, { ...col('Created At', 'date'), description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }],
    cells: (lr) => [lr.metadata.name, lr.metadata.creationTimestamp ?? ''],
  },
  Lease: {
    columns: [nameCol, col('Holder'), ageCol],
    cells: (lease, now) => [lease.metadata.name, lease.spec?.holderIdentity ?? '', age(lease, now)],
  },
  ServiceAccount: {
    columns: [nameCol, col('Secrets', 'integer'), ageCol],
    cells: (sa, now) => [sa.metadata.name, Array.isArray(sa.secrets) ? sa.secrets.length : 0, age(sa, now)],
  },
  Pod: {
    columns: [nameCol, col('Ready'), col('Status'), col('Restarts'), ageCol, col('IP', 'string', 1), col('Node', 'string', 1), col('Nominated Node', 'string', 1), col('Readiness Gates', 'string', 1)],
    cells: (pod, now) => {
      const s = podSummary(pod, now);
      const gates = (pod.spec?.readinessGates ?? []) as Array<{ conditionType: string }>;
      const conditions = (pod.status?.conditions ?? []) as Array<{ type: string; status: string }>;
      const gatesText = gates.length
        ? `${gates.filter((g) => conditions.some((c) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}`
        : '<none>';
      return [pod.metadata.name, s.ready, s.status, s.restarts, age(pod, now), none(pod.status?.podIP), none(pod.spec?.nodeName), none(pod.status?.nominatedNodeName), gatesText];
    },
  },
  Deployment: {
    columns: [nameCol, col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), ageCol, ...workloadWide],
    cells: (d, now) => {
      const [containers, images] = containersAndImages(d.spec?.template);
      const desired = d.spec?.replicas ?? 1;
      return [d.metadata.name, `${d.status?.readyReplicas ?? 0}/${desired}`, d.status?.updatedReplicas ?? 0, d.status?.availableReplicas ?? 0, age(d, now), containers, images, selectorText(d.spec?.selector)];
    },
  },
  ReplicaSet: {
    columns: [nameCol, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), ageCol, ...workloadWide],
    cells: (rs, now) => {
      const [containers, images] = containersAndImages(rs.spec?.template);
      return [rs.metadata.name, rs.spec?.replicas ?? 1, rs.status?.replicas ?? 0, rs.status?.readyReplicas ?? 0, age(rs, now), containers, images, selectorText(rs.spec?.selector)];
    },
  },
  ReplicationController: {
    columns: [nameCol, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), ageCol, ...workloadWide],
    cells: (rc, now) => {
      const [containers, images] = containersAndImages(rc.spec?.template);
      return [rc.metadata.name, rc.spec?.replicas ?? 1, rc.status?.replicas ?? 0, rc.status?.readyReplicas ?? 0, age(rc, now), containers, images, formatLabels(rc.spec?.selector)];
    },
  },
  DaemonSet: {
    columns: [nameCol, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Up-to-date', 'integer'), col('Available', 'integer'), col('Node Selector'), ageCol, ...workloadWide],
    cells: (ds, now) => {
      const [containers, images] = containersAndImages(ds.spec?.template);
      const st = ds.status ?? {};
      return [ds.metadata.name, st.desiredNumberScheduled ?? 0, st.currentNumberScheduled ?? 0, st.numberReady ?? 0, st.updatedNumberScheduled ?? 0, st.numberAvailable ?? 0, formatLabels(ds.spec?.template?.spec?.nodeSelector), age(ds, now), containers, images, selectorText(ds.spec?.selector)];
    },
  },
  PodDisruptionBudget: {
    columns: [nameCol, col('Min Available'), col('Max Unavailable'), col('Allowed Disruptions', 'integer'), ageCol],
    cells: (pdb, now) => [pdb.metadata.name, pdb.spec?.minAvailable !== undefined ? String(pdb.spec.minAvailable) : 'N/A', pdb.spec?.maxUnavailable !== undefined ? String(pdb.spec.maxUnavailable) : 'N/A', pdb.status?.disruptionsAllowed ?? 0, age(pdb, now)],
  },
  Job: {
    columns: [
      nameCol,
      { ...col('Status'), description: 'Status of the job.' },
      { ...col('Completions'), description: 'The desired number of successfully finished pods the job should be run with.' },
      { ...col('Duration'), description: 'Time required to complete the job.' },
      ageCol,
      ...workloadWide,
    ],
    cells: (job, now) => {
      const [containers, images] = containersAndImages(job.spec?.template);
      return [job.metadata.name, jobStatus(job), jobCompletions(job), jobDuration(job, now), age(job, now), containers, images, selectorText(job.spec?.selector)];
    },
  },
  CronJob: {
    columns: [
      nameCol,
      { ...col('Schedule'), description: 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.' },
      { ...col('Timezone'), description: 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.' },
      { ...col('Suspend', 'boolean'), description: 'This flag tells the controller to suspend subsequent executions.' },
      { ...col('Active', 'integer'), description: 'A list of pointers to currently running jobs.' },
      { ...col('Last Schedule'), description: 'Information when was the last time the job was successfully scheduled.' },
      ageCol,
      ...workloadWide,
    ],
    cells: (cj, now) => {
      const [containers, images] = containersAndImages(cj.spec?.jobTemplate?.spec?.template);
      const last = cj.status?.lastScheduleTime ? ageOf(cj.status.lastScheduleTime, now) : '<none>';
      return [cj.metadata.name, cj.spec?.schedule ?? '', none(cj.spec?.timeZone), boolPtr(cj.spec?.suspend), (cj.status?.active ?? []).length, last, age(cj, now), containers, images, selectorText(cj.spec?.jobTemplate?.spec?.selector)];
    },
  },
  Service: {
    columns: [nameCol, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), ageCol, col('Selector', 'string', 1)],
    cells: (svc, now) => [svc.metadata.name, svc.spec?.type ?? 'ClusterIP', none(svc.spec?.clusterIP), serviceExternalIp(svc), servicePorts(svc), age(svc, now), mapSelectorText(svc.spec?.selector)],
  },
  Endpoints: {
    columns: [nameCol, col('Endpoints'), ageCol],
    cells: (ep, now) => [ep.metadata.name, endpointsText(ep), age(ep, now)],
  },
  ConfigMap: {
    columns: [nameCol, col('Data', 'integer'), ageCol],
    cells: (cm, now) => [cm.metadata.name, Object.keys((cm.data as object) ?? {}).length + Object.keys((cm.binaryData as object) ?? {}).length, age(cm, now)],
  },
  Secret: {
    columns: [nameCol, col('Type'), col('Data', 'integer'), ageCol],
    cells: (s, now) => [s.metadata.name, (s.type as string) || 'Opaque', Object.keys((s.data as object) ?? {}).length, age(s, now)],
  },
  Namespace: {
    columns: [nameCol, col('Status'), ageCol],
    cells: (ns, now) => [ns.metadata.name, ns.status?.phase ?? (ns.metadata.deletionTimestamp ? 'Terminating' : 'Active'), age(ns, now)],
  },
  Event: {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message'), col('Subobject', 'string', 1), col('Source', 'string', 1), col('First Seen', 'string', 1), col('Count', 'string', 1), { ...col('Name', 'string', 1, 'name') }],
    cells: (ev, now) => {
      const involved = (ev.involvedObject ?? {}) as { kind?: string; name?: string; fieldPath?: string };
      const source = (ev.source as any)?.component || (ev.reportingComponent as string) || '';
      const first = (ev.firstTimestamp as string) || (ev.eventTime as string) || ev.metadata.creationTimestamp;
      return [eventLastSeen(ev, now), ev.type ?? '', ev.reason ?? '', `${(involved.kind ?? '').toLowerCase()}/${involved.name ?? ''}`, String(ev.message ?? '').trim(), involved.fieldPath ?? '', source, ageOf(first, now), String(ev.count ?? 1), ev.metadata.name];
    },
  },
  Node: {
    columns: [nameCol, col('Status'), col('Roles'), ageCol, col('Version'), col('Internal-IP', 'string', 1), col('External-IP', 'string', 1), col('OS-Image', 'string', 1), col('Kernel-Version', 'string', 1), col('Container-Runtime', 'string', 1)],
    cells: (n, now) => {
      const info = n.status?.nodeInfo ?? {};
      return [n.metadata.name, nodeStatus(n), nodeRoles(n), age(n, now), info.kubeletVersion ?? '', nodeAddress(n, 'InternalIP'), nodeAddress(n, 'ExternalIP'), info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>'];
    },
  },
  RuntimeClass: {
    columns: [nameCol, col('Handler'), ageCol],
    cells: (rc, now) => [rc.metadata.name, String(rc.handler ?? ''), age(rc, now)],
  },
  Ingress: {
    columns: [nameCol, col('Class'), col('Hosts'), col('Address'), col('Ports'), ageCol],
    cells: (ing, now) => [ing.metadata.name, none(ing.spec?.ingressClassName), ingressHosts(ing), ingressAddress(ing), (ing.spec?.tls ?? []).length ? '80, 443' : '80', age(ing, now)],
  },
  IngressClass: {
    columns: [nameCol, { ...col('Controller'), description: 'Controller that is responsible for handling this class' }, { ...col('Parameters'), description: 'A reference to a resource with additional parameters' }, ageCol],
    cells: (ic, now) => [ic.metadata.name, String(ic.spec?.controller ?? ''), ingressClassParameters(ic), age(ic, now)],
  },
  NetworkPolicy: {
    columns: [nameCol, { ...col('Pod-Selector'), description: 'Selects the pods to which this NetworkPolicy object applies.' }, ageCol],
    cells: (np, now) => [np.metadata.name, selectorText(np.spec?.podSelector ?? {}), age(np, now)],
  },
  ...storageColumnSets,
  ...hpaColumnSets,
  ...rbacColumnSets,
};

export const defaultColumnSet: ColumnSet = { columns: [nameCol, ageCol], cells: (o, now) => [o.metadata.name, age(o, now)] };
