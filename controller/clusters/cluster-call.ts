import { setTimeout as delay } from 'node:timers/promises';
import { bounded } from './bounded-request.js';
import type { ClusterTarget } from './cluster-target.js';
import { classifyApiError, isNotFoundError } from './classify-api-error.js';
import type { ObjectRef } from './object-ref.js';

/** What every request of one sync shares. */
export interface CallContext {
  target: ClusterTarget;
  signal?: AbortSignal;
  /** @defaultValue DEFAULT_REQUEST_TIMEOUT_MS (30 s) */
  timeoutMs?: number;
}

/**
 * One API request about `ref`, bounded in time and by the sync's signal; a
 * failure comes back classified (ObjectRejectedError or ClusterRequestError),
 * an abort as the signal's reason.
 */
export async function callCluster<T>(ctx: CallContext, doing: string, ref: ObjectRef, request: () => Promise<T>): Promise<T> {
  try {
    return await bounded(request(), { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
  } catch (err) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    throw classifyApiError(err, ctx.target.name, ref, doing);
  }
}

/** As callCluster, with 404 answered as undefined: reading an object that may not exist. */
export async function callClusterOrAbsent<T>(ctx: CallContext, doing: string, ref: ObjectRef, request: () => Promise<T>): Promise<T | undefined> {
  try {
    return await bounded(request(), { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
  } catch (err) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    if (isNotFoundError(err)) return undefined;
    throw classifyApiError(err, ctx.target.name, ref, doing);
  }
}

/** Waits `ms` between polls of a sync; an abort rejects with the signal's reason, as every cluster call does. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    throw signal?.aborted ? signal.reason : err;
  }
}
