import type { KubernetesObject } from '@kubernetes/client-node';

/** The objects (in apply order) cut into runs of one apiVersion and kind, keeping their order. */
export function kindRuns<T extends KubernetesObject>(sorted: readonly T[]): T[][] {
  const runs: T[][] = [];
  for (const object of sorted) {
    const last = runs.at(-1)?.[0];
    if (last && last.apiVersion === object.apiVersion && last.kind === object.kind) runs.at(-1)!.push(object);
    else runs.push([object]);
  }
  return runs;
}

/**
 * Applies the objects of one run `concurrency` at a time, reporting each
 * result in the run's order as soon as those before it are in. The first
 * failure (in the run's order) stops new applies; those already sent finish
 * and are reported, then it is thrown. The signal is checked before each send.
 */
export async function applyRun<T, R>(run: readonly T[], concurrency: number, signal: AbortSignal | undefined, applyOne: (item: T) => Promise<R>, report: (result: R) => void): Promise<void> {
  const done: (R | undefined)[] = [];
  const failed = new Map<number, unknown>();
  let next = 0;
  let reported = 0;
  const worker = async () => {
    while (next < run.length && failed.size === 0) {
      const i = next++;
      try {
        signal?.throwIfAborted();
        done[i] = await applyOne(run[i]!);
      } catch (err) {
        failed.set(i, err);
        continue;
      }
      while (done[reported] !== undefined) report(done[reported++]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, run.length) }, worker));
  if (failed.size === 0) return;
  for (let i = reported; i < run.length; i++) if (done[i] !== undefined) report(done[i]!);
  throw failed.get(Math.min(...failed.keys()));
}
