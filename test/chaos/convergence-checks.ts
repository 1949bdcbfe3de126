import type { KubernetesObject } from '@kubernetes/client-node';
import { clusterTargetFromKubeconfig } from '../../controller/clusters/cluster-target.js';
import type { SyncQueue } from '../../controller/queue/sync-queue.js';
import type { StateStore } from '../../controller/state/state-store.js';
import { expectedObjects, sameVersion, type ChaosRepo } from './chaos-repo.js';
import { podProcesses } from './pod-processes.js';

export interface CheckInputs {
  repo: ChaosRepo;
  state: StateStore;
  queue: SyncQueue;
  kubeconfig: string;
}

const MANAGED_BY = 'app.kubernetes.io/managed-by=baton';

/**
 * Everything that must hold once the system has settled at the repository's
 * head; returns what does not (empty: converged). Each check reads live
 * state itself and judges it against the harness's own model of the
 * repository, not against baton's idea of it:
 * - each app's status is settled at the head: a good head is Synced and
 *   Healthy at the head's version; a bad head is Degraded, its version
 *   recorded as failed and rolled back, live at a version the model knows good;
 * - the live objects equal the manifests of that (last healthy) version, and
 *   nothing else baton manages lives in the app's namespace;
 * - every Deployment is fully rolled out and available;
 * - every pod is Running and ready, and has exactly one process group on
 *   this machine; no process belongs to a pod the API does not have;
 * - no sync job is active, waiting or delayed.
 */
export async function convergenceProblems(inputs: CheckInputs): Promise<string[]> {
  const { repo, state, queue } = inputs;
  const problems: string[] = [];
  const head = repo.head;
  const target = clusterTargetFromKubeconfig(inputs.kubeconfig);
  const namespaces = new Set(repo.apps.map((a) => a.namespace));
  const apiPods = new Map<string, { namespace: string; name: string }>();

  for (const app of repo.apps) {
    const want = repo.headState[app.name];
    const status = await state.getApp(app.name);
    if (!status) {
      problems.push(`${app.name}: no status`);
      continue;
    }
    const at = (rev: string | null | undefined) => repo.stateAt(rev)?.[app.name];
    const live = at(status.revision);
    const describe = `${app.name}: status ${status.syncStatus}/${status.health} revision ${short(status.revision)} (${show(live)}) observed ${short(status.observedRevision)}, head ${short(head)} (${show(want)})`;
    if (status.observedRevision !== head) problems.push(`${describe}: head not observed`);
    if (status.syncStatus === 'Syncing') problems.push(`${describe}: left Syncing`);
    const history = await state.getHistory(app.name, 20);
    if (!want.broken) {
      if (status.syncStatus !== 'Synced' || status.health !== 'Healthy') problems.push(`${describe}: not Synced and Healthy`);
      if (!sameVersion(live, want)) problems.push(`${describe}: live revision is not the head's version`);
      if (!history.some((h) => h.result === 'Succeeded' && sameVersion(at(h.revision), want))) problems.push(`${describe}: no Succeeded sync of the head's version in history`);
    } else {
      if (status.health !== 'Degraded') problems.push(`${describe}: a broken head should leave the app Degraded`);
      if (!live || live.broken) problems.push(`${describe}: not rolled back to a healthy version`);
      if (!sameVersion(at(status.lastFailedRevision), want)) problems.push(`${describe}: lastFailedRevision ${short(status.lastFailedRevision)} is not the broken version`);
      const newest = history.find((h) => sameVersion(at(h.revision), want));
      if (newest?.result !== 'RolledBack') problems.push(`${describe}: the broken version's newest history entry is ${newest?.result ?? 'missing'}, not RolledBack`);
    }
    const healthy = await state.getHealthyManifests(app.name);
    if (live && !live.broken && !sameVersion(at(healthy?.revision), live)) problems.push(`${describe}: the newest kept healthy revision is ${short(healthy?.revision)} (${show(at(healthy?.revision))})`);
    if (!live) continue;

    // The live objects against the model's manifests of the version baton says is live.
    const expected = expectedObjects(app, live);
    for (const object of expected) {
      const found = await bounded(target.objects.list(object.apiVersion, object.kind, app.namespace)).then((l) => l.items.find((o) => o.metadata?.name === object.metadata.name));
      if (!found) {
        problems.push(`${app.name}: ${object.kind}/${object.metadata.name} missing`);
        continue;
      }
      const diff = subsetDifference(object, found, '');
      if (diff) problems.push(`${app.name}: ${object.kind}/${object.metadata.name} differs from ${show(live)} at ${diff}`);
    }
    for (const [apiVersion, kind] of [['v1', 'ConfigMap'], ['v1', 'Service'], ['apps/v1', 'Deployment']]) {
      const managed = await bounded(target.objects.list(apiVersion, kind, app.namespace, undefined, undefined, undefined, undefined, MANAGED_BY));
      for (const o of managed.items) {
        if (!expected.some((e) => e.kind === kind && e.metadata.name === o.metadata?.name)) problems.push(`${app.name}: ${kind}/${o.metadata?.name} should have been pruned`);
      }
    }

    const deployment = (await bounded(target.objects.list<KubernetesObject & { spec?: any; status?: any }>('apps/v1', 'Deployment', app.namespace))).items.find(
      (d) => d.metadata?.name === app.name,
    );
    if (deployment) {
      const s = deployment.status ?? {};
      const n = deployment.spec?.replicas;
      const rolledOut = s.observedGeneration >= (deployment.metadata?.generation ?? 0) && s.replicas === n && s.updatedReplicas === n && s.readyReplicas === n && s.availableReplicas === n && !s.unavailableReplicas;
      if (!rolledOut) problems.push(`${app.name}: Deployment not fully available: generation ${deployment.metadata?.generation} status ${JSON.stringify(s).slice(0, 300)}`);
    }

    const pods = (await bounded(target.core.listNamespacedPod({ namespace: app.namespace }))).items;
    for (const pod of pods) {
      const name = pod.metadata!.name!;
      apiPods.set(`${app.namespace}/${name}`, { namespace: app.namespace, name });
      const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Running' || !ready) {
        problems.push(`${app.name}: pod ${name} is ${pod.metadata?.deletionTimestamp ? 'terminating' : `${pod.status?.phase}${ready ? '' : ', not ready'}`}`);
      }
    }
    if (deployment && pods.length !== deployment.spec?.replicas) problems.push(`${app.name}: ${pods.length} pods for ${deployment.spec?.replicas} replicas`);
  }

  // Processes on this machine against the API's pods: one process group per pod, none without a pod.
  const groups = new Map<string, Set<number>>();
  for (const p of podProcesses(namespaces)) {
    const key = `${p.namespace}/${p.pod}`;
    if (!groups.has(key)) groups.set(key, new Set());
    groups.get(key)!.add(p.pgrp);
  }
  for (const [key, pgrps] of groups) {
    if (!apiPods.has(key)) problems.push(`orphaned pod processes: ${key} (process groups ${[...pgrps].join(', ')}) has no pod in the API`);
    else if (pgrps.size > 1) problems.push(`duplicate pod processes: ${key} runs in ${pgrps.size} process groups (${[...pgrps].join(', ')})`);
  }
  for (const key of apiPods.keys()) if (!groups.has(key)) problems.push(`pod ${key} has no process`);

  const depth = await queue.depth();
  if (depth.active + depth.waiting + depth.delayed > 0) problems.push(`sync queue not drained: ${JSON.stringify(depth)}`);
  return problems;
}

/** Where `want` (what baton applied) is not contained in `live`, or '' when it is. */
export function subsetDifference(want: unknown, live: unknown, path: string): string {
  if (Array.isArray(want)) {
    if (!Array.isArray(live) || live.length !== want.length) return `${path || '.'} (${JSON.stringify(want)} vs ${JSON.stringify(live)})`;
    for (let i = 0; i < want.length; i++) {
      const d = subsetDifference(want[i], live[i], `${path}[${i}]`);
      if (d) return d;
    }
    return '';
  }
  if (want !== null && typeof want === 'object') {
    if (live === null || typeof live !== 'object') return `${path || '.'} (missing)`;
    for (const [k, v] of Object.entries(want)) {
      const d = subsetDifference(v, (live as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return '';
  }
  return want === live ? '' : `${path} (${JSON.stringify(want)} vs ${JSON.stringify(live)})`;
}

function short(rev: string | null | undefined): string {
  return rev ? rev.slice(0, 7) : '-';
}

function show(v: { version: number; broken: boolean } | undefined): string {
  return v ? `v${v.version}${v.broken ? ' broken' : ''}` : 'unknown version';
}

function bounded<T>(call: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([call, new Promise<T>((_, fail) => (timer = setTimeout(() => fail(new Error(`no answer in ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}
