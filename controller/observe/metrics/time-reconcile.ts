import type { BatonMetrics } from './baton-metrics.js';

/** Runs the planning of one app (tree check, render, diff) and records how long it took, whether it resolves or throws. */
export async function timeReconcile<T>(metrics: BatonMetrics, app: { name: string; namespace: string }, plan: () => Promise<T>): Promise<T> {
  const end = metrics.appReconcile.startTimer({ name: app.name, namespace: app.namespace });
  try {
    return await plan();
  } finally {
    end();
  }
}
