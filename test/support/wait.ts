export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface WaitOptions {
  /** How long to keep trying before failing. @defaultValue 30_000 */
  timeoutMs?: number;
  /** Pause between tries; a check that spawns kubectl wants a few hundred ms on a 2-core machine. @defaultValue 25 */
  intervalMs?: number;
  /** More to say when it times out (logs of the process under test, the last state seen). @defaultValue nothing */
  describe?: () => string | Promise<string>;
}

type Maybe<T> = T | undefined | null | false;

/**
 * Calls `check` until it returns something other than undefined, null or false, and returns that.
 * A check that throws is tried again; on timeout the error names `what` and the last error seen.
 */
export async function waitFor<T>(what: string, check: () => Maybe<T> | Promise<Maybe<T>>, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 25, describe } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const cause = lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      const detail = describe ? `\n${await Promise.resolve().then(describe).catch((e: unknown) => String(e))}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}${detail}`);
    }
    await sleep(intervalMs);
  }
}

/** Calls `attempt` until it resolves instead of throwing, and returns what it resolved to. */
export async function retry<T>(what: string, attempt: () => Promise<T>, options: WaitOptions = {}): Promise<T> {
  const { value } = await waitFor(what, async () => ({ value: await attempt() }), options);
  return value;
}
