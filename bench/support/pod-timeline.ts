import type { LocalCluster } from '../../runtime/store/index.js';
import { resources } from '../../runtime/resources/registry.js';

const STEPS = ['created', 'scheduled', 'running', 'ready'] as const;
type Step = (typeof STEPS)[number];

/**
 * When each pod of a namespace reached each step, as its watch events tell
 * (ms since `t0`): created → scheduled (nodeName) → running (the container
 * started) → Ready. Says where a pod's time goes and which step lags.
 */
export async function watchPodTimeline(cluster: LocalCluster, namespace: string, t0: number) {
  const pods = new Map<string, Partial<Record<Step, number>>>();
  let writes = 0;
  const stopWatch = await cluster.watch(resources.pods, { namespace, sharedObjects: true }, ({ type, object: pod }) => {
    if (type !== 'ADDED' && type !== 'MODIFIED') return;
    writes++;
    const now = performance.now() - t0;
    const uid = pod.metadata.uid!;
    const seen = pods.get(uid) ?? {};
    pods.set(uid, seen);
    seen.created ??= now;
    if (pod.spec?.nodeName) seen.scheduled ??= now;
    if ((pod.status?.containerStatuses ?? []).some((c: any) => c.state?.running)) seen.running ??= now;
    if ((pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')) seen.ready ??= now;
  });
  return {
    /** Stops watching; lines of per-step medians, p90s and when the last pod reached each step. */
    stop(): string[] {
      stopWatch();
      const lines: string[] = [];
      const q = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
      const ms = (x: number) => `${x.toFixed(0)} ms`;
      const all = [...pods.values()];
      lines.push(`pod writes (watch events, creation included): ${(writes / Math.max(1, all.length)).toFixed(2)} per pod`);
      lines.push(`last pod ${STEPS.map((s) => `${s} ${ms(Math.max(...all.map((p) => p[s] ?? NaN)))}`).join(', ')}`);
      for (let i = 1; i < STEPS.length; i++) {
        const gaps = all.filter((p) => p[STEPS[i]] !== undefined && p[STEPS[i - 1]] !== undefined).map((p) => p[STEPS[i]]! - p[STEPS[i - 1]]!);
        lines.push(`${STEPS[i - 1]} → ${STEPS[i]}: median ${ms(q(gaps, 0.5))}, p90 ${ms(q(gaps, 0.9))}, max ${ms(q(gaps, 1))}`);
      }
      return lines;
    },
  };
}
