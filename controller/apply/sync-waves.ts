import { syncRole, type HookDeletePolicy, type HookPhase } from '../../runtime/kube/sync-annotations.js';
import type { KubeObject } from '../../runtime/kube/object.js';

/** A hook of a sync (Argo CD's `argocd.argoproj.io/hook`): run in its phases, not kept as the app's live state. */
export interface HookObject {
  object: KubeObject;
  phases: HookPhase[];
  deletePolicies: HookDeletePolicy[];
  wave: number;
}

/** An app's rendered objects by role: what it keeps live (pruned, diffed, rolled back to), and its hooks. */
export interface SyncObjects {
  objects: KubeObject[];
  hooks: HookObject[];
}

/**
 * Sorts rendered objects into the app's objects and its hooks; `Skip` objects
 * (and Helm's delete, rollback and test hooks) are left out. The renderer has
 * checked the annotations, so a wrong one throws here only for objects that
 * did not come through it.
 */
export function splitHooks(rendered: readonly KubeObject[]): SyncObjects {
  const objects: KubeObject[] = [];
  const hooks: HookObject[] = [];
  for (const object of rendered) {
    const role = syncRole(object.metadata.annotations);
    if (role.kind === 'object') objects.push(object);
    else if (role.kind === 'hook') hooks.push({ object, phases: role.phases, deletePolicies: role.deletePolicies, wave: role.wave });
  }
  return { objects, hooks };
}

/** The objects grouped by sync wave, lowest wave first (each group keeps the objects' order). */
export function byWave<T>(items: readonly T[], waveOf: (item: T) => number): T[][] {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const w = waveOf(item);
    const group = groups.get(w);
    if (group) group.push(item);
    else groups.set(w, [item]);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

/** The sync wave of an app object (0 unless annotated). */
export function objectWave(object: KubeObject): number {
  const role = syncRole(object.metadata.annotations);
  return role.kind === 'skip' ? 0 : role.wave;
}

/** The hooks of one phase, in wave order. */
export function hooksOf(hooks: readonly HookObject[], phase: HookPhase): HookObject[] {
  return hooks.filter((h) => h.phases.includes(phase)).sort((a, b) => a.wave - b.wave);
}
