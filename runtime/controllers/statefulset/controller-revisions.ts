import type { Cluster } from '../../objects/cluster.js';
import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import { isControlledBy, newControllerRef } from '../controller-ref.js';
import { computePodTemplateHash } from '../deployment/pod-template-hash.js';
import { REVISION_LABEL } from './stateful-pods.js';

export interface SetRevisions {
  current: string;
  update: string;
  /** The pod template of each revision by name. */
  templates: Map<string, any>;
}

const revisionNumber = (r: KubeObject) => Number(r.revision ?? 0);

/** `<set>-<hash of the template>`, the ControllerRevision name and the pods' controller-revision-hash. */
export function revisionName(set: KubeObject): string {
  return `${set.metadata.name}-${computePodTemplateHash(set.spec?.template ?? {}, set.status?.collisionCount ?? 0)}`;
}

/**
 * The set's ControllerRevisions, as Kubernetes keeps them: one per template
 * the set has had (data.spec.template), the newest with the highest
 * `revision`; going back to an older template renumbers its revision.
 * Returns the current and update revisions; trims history beyond
 * revisionHistoryLimit, keeping revisions pods still use.
 */
export async function syncRevisions(cluster: Cluster, set: KubeObject, podRevisions: ReadonlySet<string>): Promise<SetRevisions> {
  const namespace = set.metadata.namespace;
  const owned = (await cluster.list(resources.controllerrevisions, { namespace })).items.filter((r) => isControlledBy(r, set));
  const update = revisionName(set);
  const newest = Math.max(0, ...owned.map(revisionNumber));
  let updateRevision = owned.find((r) => r.metadata.name === update);
  if (!updateRevision) {
    const template = structuredClone(set.spec?.template ?? {});
    updateRevision = await cluster.create(resources.controllerrevisions, {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: update, namespace, labels: { ...(template.metadata?.labels ?? {}), [REVISION_LABEL]: update }, ownerReferences: [newControllerRef(set)] },
      data: { spec: { template: { ...template, $patch: 'replace' } } },
      revision: newest + 1,
    });
    owned.push(updateRevision);
  } else if (revisionNumber(updateRevision) < newest) {
    updateRevision = await cluster.update(resources.controllerrevisions, { ...updateRevision, revision: newest + 1 });
    owned.splice(owned.findIndex((r) => r.metadata.name === update), 1, updateRevision);
  }
  const given = set.status?.currentRevision;
  const current = typeof given === 'string' && owned.some((r) => r.metadata.name === given) ? given : update;
  const templates = new Map<string, any>();
  for (const r of owned) {
    const { $patch: _patch, ...template } = (r.data as any)?.spec?.template ?? {};
    templates.set(String(r.metadata.name), template);
  }
  await trimHistory(cluster, set, owned, new Set([current, update, ...podRevisions]));
  return { current, update, templates };
}

async function trimHistory(cluster: Cluster, set: KubeObject, owned: KubeObject[], live: Set<string>): Promise<void> {
  const limit = Number(set.spec?.revisionHistoryLimit ?? 10);
  const old = owned.filter((r) => !live.has(String(r.metadata.name))).sort((a, b) => revisionNumber(a) - revisionNumber(b));
  for (const r of old.slice(0, Math.max(0, old.length - limit))) {
    try {
      await cluster.delete(resources.controllerrevisions, r.metadata.namespace, String(r.metadata.name));
    } catch (err) {
      if ((err as { code?: unknown }).code !== 404) throw err;
    }
  }
}
