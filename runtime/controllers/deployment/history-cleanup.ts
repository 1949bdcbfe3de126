import type { KubeObject } from '../../kube/object.js';
import { resources } from '../../resources/registry.js';
import type { DeploymentCtx } from './context.js';
import { revisionHistoryLimit } from './deployment-spec.js';
import { byRevision, rsReplicas, rsStatus } from './replica-sets.js';

/**
 * Deletes the oldest old ReplicaSets beyond revisionHistoryLimit, but only
 * those scaled to zero with no pods left and their scale observed (cleanupDeployment).
 */
export async function cleanupHistory(ctx: DeploymentCtx, oldRSs: KubeObject[]): Promise<void> {
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
  const excess = cleanable.length - revisionHistoryLimit(ctx.d);
  for (let i = 0; i < excess; i++) {
    const rs = cleanable[i];
    if (rsStatus(rs, 'replicas') !== 0 || rsReplicas(rs) !== 0) continue;
    if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await ctx.cluster.delete(resources.replicasets, rs.metadata.namespace, String(rs.metadata.name), {
        preconditions: { uid: rs.metadata.uid },
      });
    } catch (err: any) {
      if (err?.code !== 404) throw err;
    }
    ctx.rss = ctx.rss.filter((x) => x.metadata.name !== rs.metadata.name);
    ctx.oldRSs = ctx.oldRSs.filter((x) => x.metadata.name !== rs.metadata.name);
  }
}
