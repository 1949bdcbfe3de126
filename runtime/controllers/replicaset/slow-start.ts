/**
 * Calls `fn` `count` times in batches of 1, 2, 4, … (controller's
 * slowStartBatch), so a broken template fails one create rather than
 * thousands and the event loop breathes between batches. Stops after the
 * first batch with a failure. Returns how many succeeded and the first error.
 */
export async function slowStartBatch(
  count: number,
  initialBatch: number,
  fn: () => Promise<void>,
): Promise<{ succeeded: number; error?: unknown }> {
  let remaining = count;
  let succeeded = 0;
  for (let batch = Math.min(remaining, initialBatch); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    let error: unknown;
    for (const r of results) {
      if (r.status === 'fulfilled') succeeded++;
      else error ??= r.reason;
    }
    if (error !== undefined) return { succeeded, error };
    remaining -= batch;
    // Let watches, timers and HTTP requests run between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { succeeded };
}
