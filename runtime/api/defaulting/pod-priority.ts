import { forbidden } from '../../errors/status-error.js';
import type { Cluster } from '../../objects/cluster.js';
import { getIfExists } from '../../objects/get-if-exists.js';
import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';

/** The classes every Kubernetes API server makes at start. */
export const SYSTEM_PRIORITY_CLASSES: KubeObject[] = [
  ['system-node-critical', 2000001000, 'Used for system critical pods that must not be moved from their current node.'],
  ['system-cluster-critical', 2000000000, 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.'],
].map(([name, value, description]) => ({
  apiVersion: 'scheduling.k8s.io/v1',
  kind: 'PriorityClass',
  metadata: { name: name as string },
  value,
  description,
  preemptionPolicy: 'PreemptLowerPriority',
}));

/** Creates the system PriorityClasses when missing (never overwrites). */
export async function ensureSystemPriorityClasses(cluster: Cluster): Promise<void> {
  for (const pc of SYSTEM_PRIORITY_CLASSES) {
    if (await getIfExists(cluster, resources.priorityclasses, undefined, pc.metadata.name!)) continue;
    await cluster.create(resources.priorityclasses, structuredClone(pc)).catch((err: { code?: unknown }) => {
      if (err.code !== 409) throw err;
    });
  }
}

/**
 * Kubernetes' Priority admission, on pod create: `priorityClassName` (or the
 * class marked `globalDefault`) becomes `spec.priority` and
 * `spec.preemptionPolicy`; a missing class or a priority given by hand that
 * disagrees is refused (403) with Kubernetes' words. Mutates `pod`. The
 * scheduler does not preempt yet: the priority is recorded, as the API promises.
 */
export async function admitPodPriority(cluster: Cluster, pod: KubeObject): Promise<void> {
  const spec = pod.spec;
  if (!spec || typeof spec !== 'object') return;
  const name = pod.metadata.name ?? pod.metadata.generateName ?? '';
  let chosen: KubeObject | undefined;
  if (typeof spec.priorityClassName === 'string' && spec.priorityClassName !== '') {
    chosen = await getIfExists(cluster, resources.priorityclasses, undefined, spec.priorityClassName);
    if (!chosen) throw forbidden(`pods "${name}" is forbidden: no PriorityClass with name ${spec.priorityClassName} was found`);
  } else {
    const defaults = (await cluster.list(resources.priorityclasses)).items.filter((pc) => pc.globalDefault === true);
    // Of several defaults, the one with the lowest value wins, as in Kubernetes.
    chosen = defaults.sort((a, b) => Number(a.value ?? 0) - Number(b.value ?? 0))[0];
    if (chosen) spec.priorityClassName = chosen.metadata.name;
  }
  const priority = chosen ? Number(chosen.value ?? 0) : 0;
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    throw forbidden(`pods "${name}" is forbidden: the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  spec.priority = priority;
  spec.preemptionPolicy ??= chosen?.preemptionPolicy ?? 'PreemptLowerPriority';
}
