import type { AppSpec } from '../apps/app-spec.js';

/**
 * Apps in dependency order: each after every app it dependsOn, and among apps
 * free to go, by name, so the same set always gives the same order.
 * Dependencies on apps not in the list are ignored (already reported by the
 * parser). Throws on a cycle, which validated input never has.
 */
export function orderApps(apps: readonly AppSpec[]): AppSpec[] {
  const byName = new Map(apps.map((a) => [a.name, a]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const a of apps) {
    const deps = new Set(a.dependsOn.filter((d) => d !== a.name && byName.has(d)));
    waiting.set(a.name, deps.size);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(a.name);
      else dependents.set(d, [a.name]);
    }
  }
  const free = (name: string) => waiting.get(name) === 0 && !byName.get(name)!.dependsOn.includes(name);
  // A heap of names: the first free app by name goes next (a sort per step was quadratic for 1,000 apps).
  const ready = new NameHeap();
  for (const a of apps) if (free(a.name)) ready.push(a.name);
  const out: AppSpec[] = [];
  for (let name = ready.pop(); name !== undefined; name = ready.pop()) {
    out.push(byName.get(name)!);
    for (const other of dependents.get(name) ?? []) {
      waiting.set(other, waiting.get(other)! - 1);
      if (free(other)) ready.push(other);
    }
  }
  if (out.length < byName.size) {
    const placed = new Set(out.map((a) => a.name));
    const stuck = [...byName.keys()].filter((n) => !placed.has(n)).sort();
    throw new Error(`apps depend on each other in a cycle: ${stuck.join(', ')}`);
  }
  return out;
}

/** A binary min-heap of strings, compared as `<` does. */
class NameHeap {
  private readonly items: string[] = [];

  push(name: string): void {
    const items = this.items;
    items.push(name);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (items[parent] <= items[i]) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }

  pop(): string | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < items.length && items[l] < items[min]) min = l;
        if (r < items.length && items[r] < items[min]) min = r;
        if (min === i) break;
        [items[min], items[i]] = [items[i], items[min]];
        i = min;
      }
    }
    return top;
  }
}
