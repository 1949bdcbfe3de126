import type { KubeletContext } from './kubelet-context.js';

/** How often running containers are looked at between syncs (exits of adopted processes, log size samples, memory). */
export const POLL_MS = 1000;

/**
 * One pass over every running container of the node, instead of a full sync
 * of each pod every second: a container that ended wakes its pod (adopted
 * processes, and the oci driver's, give no exit event), and each log gets
 * its size sample (for `--timestamps`) and rotation. Costs a stat per
 * container, and a /proc read for those whose exit no event reports; the
 * pod's sync runs only when something happened.
 */
export function sweepContainers(ctx: KubeletContext): void {
  for (const record of ctx.records.values()) {
    for (const [name, cr] of Object.entries(record.containers)) {
      if (!cr.current) continue;
      if (!ctx.driver.reportsExit?.(cr.current) && !ctx.driver.isAlive(cr.current)) {
        ctx.enqueue(`${record.namespace}/${record.name}`);
        continue;
      }
      ctx.logs.maintain(ctx.store.containerDir(record.uid, name));
    }
  }
}
