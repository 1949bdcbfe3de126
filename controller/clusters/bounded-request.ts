/** The longest one API request may take before it counts as the cluster not answering. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Requests in flight under each signal. One sync's signal covers many
 * concurrent requests (prune lists every kind at once); one abort listener per
 * signal that fans out keeps Node's per-signal listener count at one, instead
 * of one per request (which Node reports as a leak past ten).
 */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = waiting.get(signal);
  if (!callbacks) {
    const set = new Set<() => void>();
    callbacks = set;
    waiting.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        waiting.delete(signal);
        for (const cb of set) cb();
      },
      { once: true },
    );
  }
  callbacks.add(callback);
  return () => callbacks.delete(callback);
}

/**
 * Waits for a client-node request at most `timeoutMs`, and no longer than
 * `signal` allows: client-node's generic client takes neither a timeout nor a
 * signal, and a hung API server must not hold a sync forever. A timeout
 * rejects with an ETIMEDOUT error (retryable); an abort with the signal's reason.
 */
export function bounded<T>(request: Promise<T>, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError', code: 'ETIMEDOUT' }));
    }, timeoutMs);
    const forget = signal
      ? onAbort(signal, () => {
          cleanup();
          reject(signal.reason);
        })
      : undefined;
    const cleanup = () => {
      clearTimeout(timer);
      forget?.();
    };
    request.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (err) => {
        cleanup();
        reject(err);
      },
    );
  });
}
