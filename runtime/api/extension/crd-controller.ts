import type { Cluster } from '../../objects/cluster.js';
import type { KubeObject } from '../../kube/object.js';
import { allResources, resources, serveCustomResources } from '../../resources/registry.js';
import { done, requeueAfter, startReconciler, type ReconcileResult, type ReconcilerLogger, type RunningReconciler } from '../../controllers/reconciler.js';
import { writeOwnStatus } from '../../controllers/write-status.js';
import type { ServedOpenApi } from '../openapi/served-openapi.js';
import { markTerminating } from './crd-state.js';
import { publishCustomOpenApi } from './custom-openapi.js';
import { namesOf, recordVersions, versionsOf, type CrdNames } from './custom-versions.js';
import { CRD_CLEANUP_FINALIZER } from './validate-crd.js';

const CRDS = resources.customresourcedefinitions;
const MANAGER = 'baton-apiextensions';

export interface CrdControllerOptions {
  cluster: Cluster;
  /** The documents `/openapi/v2` and `/openapi/v3` serve; custom resources' are added and removed in place. */
  openapi: ServedOpenApi;
  /** @defaultValue the runtime reconcilers' pino logger */
  logger?: ReconcilerLogger;
}

function condition(type: string, status: 'True' | 'False', reason: string, message: string, previous: any[]): Record<string, unknown> {
  const before = previous.find((c) => c.type === type);
  const lastTransitionTime = before?.status === status ? before.lastTransitionTime : new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return { type, status, lastTransitionTime, reason, message };
}

/** Another kind of the same group already uses this plural or kind (a built-in one, or an older CRD's accepted names). */
function nameConflict(crd: KubeObject, names: CrdNames, others: KubeObject[]): string | undefined {
  const group = crd.spec.group;
  for (const t of allResources) {
    if (t.group !== group || t.crd === crd.metadata.name) continue;
    if (t.plural === names.plural) return `"${names.plural}" is already in use`;
    if (t.kind === names.kind) return `"${names.kind}" is already in use`;
  }
  for (const other of others) {
    if (other.metadata.name === crd.metadata.name || other.spec?.group !== group) continue;
    const taken = other.status?.acceptedNames;
    if (!taken) continue;
    if (taken.plural === names.plural) return `"${names.plural}" is already in use`;
    if (taken.kind === names.kind) return `"${names.kind}" is already in use`;
    const short = names.shortNames.find((s) => (taken.shortNames ?? []).includes(s));
    if (short) return `"${short}" is already in use`;
  }
  return undefined;
}

function stopServing(name: string, openapi: ServedOpenApi): void {
  serveCustomResources(name, []);
  recordVersions(name, []);
  publishCustomOpenApi(openapi);
}

/** Deletes every custom resource of a CRD being deleted; done once none is left, then drops the cleanup finalizer. */
async function cleanUp(cluster: Cluster, crd: KubeObject): Promise<ReconcileResult> {
  const name = crd.metadata.name!;
  markTerminating(name, true);
  const type = allResources.find((t) => t.crd === name);
  if (type) {
    const { items } = await cluster.list(type);
    for (const item of items) {
      if (item.metadata.deletionTimestamp) continue;
      await cluster.delete(type, item.metadata.namespace, item.metadata.name!, { propagationPolicy: 'Background' }).catch((err) => {
        if ((err as { code?: number }).code !== 404) throw err;
      });
    }
    if ((await cluster.list(type)).items.length > 0) return requeueAfter(500);
  }
  const status = { ...(crd.status ?? {}), conditions: [...(crd.status?.conditions ?? []).filter((c: any) => c.type !== 'Terminating'), condition('Terminating', 'True', 'InstanceDeletionCompleted', `removed all instances`, crd.status?.conditions ?? [])] };
  await writeOwnStatus(cluster, CRDS, crd, status, MANAGER);
  const fresh = await cluster.get(CRDS, undefined, name);
  fresh.metadata.finalizers = (fresh.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
  await cluster.update(CRDS, fresh);
  return done;
}

async function reconcileCrd(options: CrdControllerOptions, name: string): Promise<ReconcileResult> {
  const { cluster, openapi } = options;
  let crd: KubeObject;
  try {
    crd = await cluster.get(CRDS, undefined, name);
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    markTerminating(name, false);
    stopServing(name, openapi);
    return done;
  }
  if (crd.metadata.deletionTimestamp) return cleanUp(cluster, crd);
  const names = namesOf(crd.spec);
  const previous = crd.status?.conditions ?? [];
  const conflict = nameConflict(crd, names, (await cluster.list(CRDS)).items);
  const accepted = conflict ? crd.status?.acceptedNames : names;
  const conditions = [
    conflict ? condition('NamesAccepted', 'False', 'NameConflict', conflict, previous) : condition('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found', previous),
    accepted?.plural ? condition('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted', previous) : condition('Established', 'False', 'NotAccepted', 'not all names are accepted', previous),
  ];
  if (accepted?.plural) {
    const versions = versionsOf(crd, { ...names, ...accepted });
    recordVersions(name, versions);
    serveCustomResources(name, versions.map((v) => v.type));
    publishCustomOpenApi(openapi);
  } else {
    stopServing(name, openapi);
  }
  const storage = (crd.spec.versions as any[]).find((v) => v.storage)?.name;
  const storedVersions = [...new Set([...(crd.status?.storedVersions ?? []), storage])];
  const status = { conditions, acceptedNames: accepted ?? { plural: '', kind: '' }, storedVersions };
  await writeOwnStatus(cluster, CRDS, crd, status, MANAGER);
  return done;
}

/**
 * apiextensions-apiserver's controllers in one reconciler keyed by CRD name:
 * names checked against the group's other kinds (NamesAccepted), the versions
 * served and their OpenAPI published (Established), and on deletion every
 * custom resource deleted before the cleanup finalizer goes.
 */
export async function startCrdController(options: CrdControllerOptions): Promise<RunningReconciler> {
  // CRDs established before a restart are served before the API answers its first request, not a reconcile later.
  for (const crd of (await options.cluster.list(CRDS)).items) {
    const accepted = crd.status?.acceptedNames;
    const established = (crd.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True');
    if (!established || !accepted?.plural || crd.metadata.deletionTimestamp) continue;
    const versions = versionsOf(crd, { ...namesOf(crd.spec), ...accepted });
    recordVersions(crd.metadata.name!, versions);
    serveCustomResources(crd.metadata.name!, versions.map((v) => v.type));
  }
  // Also apiextensions.k8s.io/v1's own document, before any CRD: kubectl looks for it to validate a CRD on the server.
  publishCustomOpenApi(options.openapi);
  return startReconciler({
    name: 'customresourcedefinitions',
    cluster: options.cluster,
    primary: CRDS,
    reconcile: (key) => reconcileCrd(options, key),
    logger: options.logger,
  });
}
