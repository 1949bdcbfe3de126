import type { AppSpec } from './app-spec.js';
import { ConfigError } from './config-error.js';
import { closestName, formatFieldPath, type FieldPath } from './field-path.js';
import type { AppSite } from './validate-app.js';

/** An app that passed validateApp, with where it was declared. */
export interface DeclaredApp {
  app: AppSpec;
  site: AppSite;
}

/**
 * Checks what no single app can: names are unique, dependsOn names apps that
 * exist, and dependencies have no cycle (each cycle is reported once, spelled
 * out). Returns the apps none of these checks found fault with.
 * `otherNames` are apps declared but invalid: depending on one is not an unknown name.
 */
export function checkAppSet(declared: DeclaredApp[], errors: ConfigError[], otherNames: ReadonlySet<string> = new Set()): AppSpec[] {
  const at = (d: DeclaredApp, path: FieldPath, where: 'key' | 'value') => ({ file: d.site.file, ...d.site.locate(path, where) });
  const field = (d: DeclaredApp, path: FieldPath) => formatFieldPath([...d.site.prefix, ...path]);

  const byName = new Map<string, DeclaredApp>();
  const bad = new Set<DeclaredApp>();
  for (const d of declared) {
    const first = byName.get(d.app.name);
    if (first) {
      const f = at(first, ['name'], 'value');
      errors.push(ConfigError.at('DUPLICATE_APP', at(d, ['name'], 'value'), field(d, ['name']), `duplicate app name "${d.app.name}": already declared at ${f.file}:${f.line}:${f.col}`, { first: f }));
      bad.add(d);
    } else byName.set(d.app.name, d);
  }
  const names = [...byName.keys(), ...otherNames];
  for (const d of byName.values()) {
    d.app.dependsOn.forEach((dep, i) => {
      if (byName.has(dep) || otherNames.has(dep)) return;
      const hint = closestName(dep, names);
      errors.push(ConfigError.at('UNKNOWN_DEPENDENCY', at(d, ['dependsOn', i], 'value'), field(d, ['dependsOn', i]), `no app named "${dep}"${hint ? ` (did you mean "${hint}"?)` : ''}`, { dependency: dep }));
      bad.add(d);
    });
  }
  for (const cycle of findCycles(byName)) {
    const d = byName.get(cycle[0])!;
    errors.push(ConfigError.at('DEPENDENCY_CYCLE', at(d, ['dependsOn'], 'value'), field(d, ['dependsOn']), `dependency cycle: ${cycle.join(' → ')}`, { cycle }));
    for (const name of cycle) bad.add(byName.get(name)!);
  }
  return declared.filter((d) => !bad.has(d)).map((d) => d.app);
}

/**
 * One cycle per strongly connected component that has one, as names from the
 * component's first app (by name) back to itself: `[a, b, c, a]`.
 */
function findCycles(byName: Map<string, DeclaredApp>): string[][] {
  const deps = (n: string) => (byName.get(n)?.app.dependsOn ?? []).filter((d) => byName.has(d)).sort();
  // Tarjan's algorithm; few apps, so recursion depth is no concern.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of deps(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      components.push(c);
    }
  };
  for (const n of [...byName.keys()].sort()) if (!index.has(n)) visit(n);

  const cycles: string[][] = [];
  for (const c of components) {
    const members = new Set(c);
    const start = [...c].sort()[0];
    if (c.length === 1 && !deps(start).includes(start)) continue;
    // Shortest way back to start inside the component (breadth-first, names in order).
    const from = new Map<string, string>();
    const queue = [start];
    let found = false;
    while (queue.length > 0 && !found) {
      const v = queue.shift()!;
      for (const w of deps(v)) {
        if (!members.has(w)) continue;
        if (w === start) {
          from.set(start, v);
          found = true;
          break;
        }
        if (!from.has(w)) {
          from.set(w, v);
          queue.push(w);
        }
      }
    }
    cycles.push(buildCycle(start, from));
  }
  return cycles.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

function buildCycle(start: string, from: Map<string, string>): string[] {
  const back = [start];
  for (let v = from.get(start)!; v !== start; v = from.get(v)!) back.push(v);
  // `back` walks predecessors: start ← p1 ← p2 …; reversed it reads start → … → start.
  return [start, ...back.slice(1).reverse(), start];
}
