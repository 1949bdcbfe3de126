import type { AppSpec } from '../apps/app-spec.js';

/**
 * Apps in dependency order: each after every app it dependsOn, and among apps
 * free to go, by name, so the same set always gives the same order.
 * Dependencies on apps not in the list are ignored (already reported by the
 * parser). Throws on a cycle, which validated input never has.
 */
export function orderApps(apps: readonly AppSpec[]): AppSpec[] {
  const byName = new Map(apps.map((a) => [a.name, a]));
  const waitingOn = new Map(apps.map((a) => [a.name, new Set(a.dependsOn.filter((d) => d !== a.name && byName.has(d)))]));
  const ready = apps.filter((a) => waitingOn.get(a.name)!.size === 0 && !a.dependsOn.includes(a.name)).map((a) => a.name);
  const out: AppSpec[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    const name = ready.pop()!;
    out.push(byName.get(name)!);
    for (const [other, deps] of waitingOn) {
      if (deps.delete(name) && deps.size === 0 && !byName.get(other)!.dependsOn.includes(other)) ready.push(other);
    }
  }
  if (out.length < byName.size) {
    const stuck = [...byName.keys()].filter((n) => !out.some((a) => a.name === n)).sort();
    throw new Error(`apps depend on each other in a cycle: ${stuck.join(', ')}`);
  }
  return out;
}
