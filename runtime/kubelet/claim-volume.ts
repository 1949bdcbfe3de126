import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Cluster } from '../objects/cluster.js';
import { getIfExists } from '../objects/get-if-exists.js';
import type { KubeObject } from '../kube/object.js';
import { resources } from '../resources/registry.js';
import { ContainerConfigError } from './container-env.js';
import { hostPathSource } from './host-path.js';

/** Set on a WaitForFirstConsumer claim once its pod is scheduled: the provisioner's cue (volume.kubernetes.io/selected-node). */
const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** Why a pod's claims keep it from its node: claims that cannot bind here, or one still being provisioned. */
export type ClaimsProblem = { unschedulable: string } | { provisioning: string };

const claimNames = (pod: KubeObject): string[] =>
  ((pod.spec?.volumes ?? []) as Array<{ persistentVolumeClaim?: { claimName?: string } }>).map((v) => v.persistentVolumeClaim?.claimName).filter((n): n is string => !!n);

const isBound = (claim: KubeObject) => claim.status?.phase === 'Bound' && !!claim.spec?.volumeName;

/**
 * The scheduler's VolumeBinding check for a pod's claims: undefined when all
 * are bound; `provisioning` (the first such claim) when some wait for their
 * first consumer (each is then marked with this node, so the provisioner
 * makes its volume); else why the pod cannot be scheduled, in the
 * scheduler's words.
 */
export async function claimsSchedulingProblem(cluster: Cluster, nodeName: string, pod: KubeObject): Promise<ClaimsProblem | undefined> {
  let pending: string | undefined;
  for (const name of claimNames(pod)) {
    const claim = await getIfExists(cluster, resources.persistentvolumeclaims, pod.metadata.namespace, name);
    if (!claim) return { unschedulable: `persistentvolumeclaim "${name}" not found` };
    if (claim.metadata.deletionTimestamp) return { unschedulable: `persistentvolumeclaim "${name}" is being deleted` };
    if (isBound(claim)) continue;
    const className = claim.spec?.storageClassName;
    const storageClass = className ? await getIfExists(cluster, resources.storageclasses, undefined, className) : undefined;
    if (storageClass?.volumeBindingMode !== 'WaitForFirstConsumer') return { unschedulable: 'pod has unbound immediate PersistentVolumeClaims' };
    pending ??= name;
    if (claim.metadata.annotations?.[SELECTED_NODE] !== nodeName) {
      const next = structuredClone(claim);
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [SELECTED_NODE]: nodeName };
      await cluster.update(resources.persistentvolumeclaims, next, { fieldManager: 'kube-scheduler' });
    }
  }
  return pending === undefined ? undefined : { provisioning: pending };
}

/**
 * The host directory of a pod's persistentVolumeClaim volume: the bound
 * volume's hostPath or local path. A directory the local-path provisioner
 * made (`<state dir>/volumes/<pv>`) is mounted as is; any other path passes
 * the hostPath checks, so a hand-made volume cannot reach baton's state.
 */
export async function claimVolumePath(cluster: Cluster, namespace: string, claimName: string, protectedPaths: string[]): Promise<string> {
  const claim = await getIfExists(cluster, resources.persistentvolumeclaims, namespace, claimName);
  if (!claim) throw new ContainerConfigError(`persistentvolumeclaim "${claimName}" not found`);
  if (!isBound(claim)) throw new ContainerConfigError(`PVC ${namespace}/${claimName} has non-bound phase ("${claim.status?.phase ?? 'Pending'}") or empty pvc.Spec.VolumeName ("${claim.spec?.volumeName ?? ''}")`);
  const volumeName = String(claim.spec.volumeName);
  const volume = await getIfExists(cluster, resources.persistentvolumes, undefined, volumeName);
  if (!volume) throw new ContainerConfigError(`persistentvolume "${volumeName}" not found`);
  const path: unknown = volume.spec?.hostPath?.path ?? volume.spec?.local?.path;
  if (typeof path !== 'string' || !path) throw new ContainerConfigError(`persistentvolume "${volumeName}": only hostPath and local volumes can be mounted by the built-in runtime`);
  const provisioned = protectedPaths.some((p) => resolve(path) === join(resolve(p), 'volumes', volumeName));
  if (provisioned) {
    if (!existsSync(path)) throw new ContainerConfigError(`persistentvolume "${volumeName}": its directory ${path} is missing`);
    return path;
  }
  return hostPathSource(path, volume.spec?.hostPath ? volume.spec.hostPath.type : 'Directory', protectedPaths);
}
