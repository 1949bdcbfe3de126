/** The longest one API request may take before it counts as the cluster not answering. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

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
    const onAbort = () => {
      cleanup();
      reject(signal!.reason);
    };
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
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
