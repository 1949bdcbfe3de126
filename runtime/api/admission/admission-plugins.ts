import { StatusError } from '../../errors/status-error.js';
import type { Cluster } from '../../objects/cluster.js';
import type { KubeObject } from '../../kube/object.js';
import { qualifiedName, resources, type ResourceType } from '../../resources/registry.js';
import { generateName } from '../../store/object-rules.js';
import { admitPodPriority } from '../defaulting/pod-priority.js';
import { aggregateMessage, applyLimitRangeDefaults, claimLimitProblems, defaultLimitRange, defaultRequestsFromLimits, podLimitProblems } from './limit-ranger.js';
import { admitToQuotas, QuotaRefusal } from './resource-quota.js';

/** admission.NewForbidden: `pods "web-x2x9k" is forbidden: <why>`. */
function forbiddenFor(type: ResourceType, obj: KubeObject, why: string): StatusError {
  const name = String(obj.metadata.name ?? '');
  return new StatusError(403, 'Forbidden', `${qualifiedName(type)} "${name}" is forbidden: ${why}`, { name, group: type.group, kind: type.plural });
}

async function limitRangesOf(cluster: Cluster, namespace: string | undefined): Promise<KubeObject[]> {
  if (!namespace) return [];
  return (await cluster.list(resources.limitranges, { namespace })).items;
}

/**
 * Mutating admission, after Kubernetes' defaults and before validation: a
 * LimitRange gets its items' defaults; a new pod's requests default to its
 * limits (SetDefaults_Pod), then LimitRanger sets the namespace's default
 * limits and requests (pods only at create, as LimitRanger does).
 */
export async function mutateOnWrite(cluster: Cluster, type: ResourceType, obj: KubeObject, creating: boolean): Promise<void> {
  if (type === resources.limitranges) defaultLimitRange(obj);
  if (type !== resources.pods || !creating) return;
  defaultRequestsFromLimits(obj);
  applyLimitRangeDefaults(obj, await limitRangesOf(cluster, obj.metadata.namespace));
}

/**
 * Validating admission of a new, valid object: LimitRanger's min, max and
 * ratio checks, then ResourceQuota (charged unless `dryRun`). A generated
 * name is settled first so a refusal names the object, as Kubernetes'
 * (the store keeps that name unless it is taken).
 */
export async function validateOnCreate(cluster: Cluster, type: ResourceType, obj: KubeObject, dryRun: boolean): Promise<void> {
  if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = generateName(obj.metadata.generateName);
  if (type === resources.pods || type === resources.persistentvolumeclaims) {
    const ranges = await limitRangesOf(cluster, obj.metadata.namespace);
    const problems = type === resources.pods ? podLimitProblems(obj, ranges) : claimLimitProblems(obj, ranges);
    if (problems.length) throw forbiddenFor(type, obj, aggregateMessage(problems));
  }
  try {
    await admitToQuotas(cluster, type, obj, !dryRun);
  } catch (err) {
    if (err instanceof QuotaRefusal) throw forbiddenFor(type, obj, err.message);
    throw err;
  }
}

/**
 * The cluster as the in-process controllers see it, with the API's admission
 * plugins on every create: a ReplicaSet's, Job's or StatefulSet's pods get
 * their priority and meet the namespace's LimitRanges and ResourceQuotas as
 * those of kubectl do (in
 * Kubernetes controllers create through the API server).
 */
export function admittingCluster(cluster: Cluster): Cluster {
  return {
    get: (type, namespace, name) => cluster.get(type, namespace, name),
    list: (type, options) => cluster.list(type, options),
    update: (type, object, options) => cluster.update(type, object, options),
    delete: (type, namespace, name, options) => cluster.delete(type, namespace, name, options),
    watch: (type, options, onEvent) => cluster.watch(type, options, onEvent),
    async create(type, object) {
      const obj = structuredClone(object);
      if (type === resources.pods) await admitPodPriority(cluster, obj);
      await mutateOnWrite(cluster, type, obj, true);
      await validateOnCreate(cluster, type, obj, false);
      return cluster.create(type, obj);
    },
  };
}
