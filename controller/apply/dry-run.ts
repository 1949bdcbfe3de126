import type { KubernetesObject } from '@kubernetes/client-node';
import { PatchStrategy } from '../clusters/kube-client.js';
import { callCluster, type CallContext } from '../clusters/cluster-call.js';
import { isNotFoundError, statusOf } from '../clusters/classify-api-error.js';
import { ObjectRejectedError } from '../clusters/object-rejected-error.js';
import { refOf } from '../clusters/object-ref.js';
import { FIELD_MANAGER } from './apply-objects.js';

/**
 * Server-side applies `object` with `dryRun=All`: the cluster validates,
 * defaults and admits it as it would the real write, and stores nothing.
 * Answers what the cluster said when it refused the object, or undefined.
 * A missing namespace in `creating` (made by the same sync, before this
 * object) is not a refusal: it cannot exist before anything is written.
 * Cluster errors that are not about the object (unreachable, 5xx) are thrown.
 */
export async function dryRunApply(ctx: CallContext, object: KubernetesObject, creating: ReadonlySet<string>): Promise<string | undefined> {
  try {
    await callCluster(ctx, 'dry-run', refOf(object), () => ctx.target.objects.patch(object, undefined, 'All', FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
    return undefined;
  } catch (err) {
    if (!(err instanceof ObjectRejectedError)) throw err;
    const namespace = object.metadata?.namespace;
    if (namespace !== undefined && creating.has(namespace) && isNotFoundError(err.cause)) return undefined;
    return clusterSaid(err);
  }
}

/** The cluster's own words for a refusal (the Status message), without baton's "dry-run X failed:" framing. */
export function clusterSaid(err: ObjectRejectedError): string {
  return statusOf(err.cause)?.body.message ?? err.message;
}
