import type { KubeletContext } from './kubelet-context.js';
import { recentMemoryByProcessGroup } from './proc-stat.js';

/** How often running containers are looked at between syncs (exits of adopted processes, log size samples, memory). */
export const POLL_MS = 1000;

/**
 * One pass over every running container of the node, instead of a full sync
 * of each pod every second: a container that ended wakes its pod (adopted
 * processes, and the oci driver's, give no exit event), each log gets its
 * size sample (for `--timestamps`) and rotation, and a container over a
 * memory limit no kernel enforces wakes its pod (whose sync kills it). Costs
 * a stat per container, a /proc read for those whose exit no event reports
 * and one /proc scan when any limit is watched; the pod's sync runs only
 * when something happened.
 */
export function sweepContainers(ctx: KubeletContext): void {
  let sample: Map<number, number> | undefined;
  for (const record of ctx.records.values()) {
    for (const [name, cr] of Object.entries(record.containers)) {
      if (!cr.current) continue;
      const podKey = `${record.namespace}/${record.name}`;
      if (!ctx.driver.reportsExit?.(cr.current) && !ctx.driver.isAlive(cr.current)) {
        ctx.enqueue(podKey);
        continue;
      }
      ctx.logs.maintain(ctx.store.containerDir(record.uid, name));
      const limit = ctx.memoryLimits.get(`${record.uid}/${name}`);
      if (limit === undefined || cr.killReason === 'OOMKilled') continue;
      sample ??= recentMemoryByProcessGroup(POLL_MS / 2);
      if (ctx.driver.memoryUsage(cr.current, sample) > limit) ctx.enqueue(podKey);
    }
  }
  // Limits of containers that ended or pods that went are forgotten.
  for (const key of ctx.memoryLimits.keys()) {
    const slash = key.indexOf('/');
    if (!ctx.records.get(key.slice(0, slash))?.containers[key.slice(slash + 1)]?.current) ctx.memoryLimits.delete(key);
  }
}
