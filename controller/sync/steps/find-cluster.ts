import { ClusterConfigError } from '../../clusters/cluster-config-error.js';
import { conclude, type Step } from '../sync-context.js';

/** The app's cluster: a runtime still starting is waited for; an unknown cluster waits for a person. */
export const findCluster: Step = async (ctx, { clusters, retryMs }) => {
  try {
    ctx.cluster = clusters.connect(ctx.app.cluster);
    return undefined;
  } catch (err) {
    if (!(err instanceof ClusterConfigError)) throw err;
    // Only LOCAL_RUNTIME_NOT_READY is retryable: the built-in runtime is still starting.
    if (err.retryable) return { retryLater: { reason: err.message, delayMs: retryMs } };
    const message = `cannot sync to cluster "${ctx.app.cluster}": ${err.message}`;
    return conclude(
      { result: 'Failed', revision: ctx.status.revision ?? ctx.revision, message },
      { status: { syncStatus: 'Unknown', health: 'Unknown', message, observedRevision: ctx.revision } },
    );
  }
};
