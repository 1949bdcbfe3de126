/**
 * What a reconcile returns: done, or "reconcile this key again after N ms"
 * even if nothing changes. Failures are thrown (see TerminalError).
 */
export interface ReconcileResult {
  /** Reconcile the key again after this many ms even if nothing changes. */
  requeueAfterMs?: number;
}

export const done: ReconcileResult = Object.freeze({});

export function requeueAfter(ms: number): ReconcileResult {
  return { requeueAfterMs: Math.max(0, Math.ceil(ms)) };
}
