import { isDeepStrictEqual } from 'node:util';
import type { StatusCause } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { forbidden } from './field-error.js';

const MUTABLE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/**
 * ValidatePodUpdate's rule on the spec: a pod's spec is fixed once made, but
 * for its containers' images, a new or lower activeDeadlineSeconds, added
 * tolerations, a negative grace period raised to 1 and scheduling gates taken
 * away. The kubelet admits a pod once (its sysctls, host namespaces, volumes):
 * a spec changed afterwards would start containers it never admitted.
 */
export function validatePodUpdate(obj: KubeObject, old: KubeObject): StatusCause[] {
  const next = structuredClone(obj.spec ?? {});
  const prev = old.spec ?? {};
  for (const key of ['containers', 'initContainers']) {
    const now: any[] = next[key] ?? [];
    const before: any[] = prev[key] ?? [];
    if (now.length !== before.length) continue;
    now.forEach((c, i) => {
      if (c && typeof c === 'object' && before[i] && 'image' in before[i]) c.image = before[i].image;
    });
  }
  const deadline = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const [was, is] = [deadline(prev.activeDeadlineSeconds), deadline(next.activeDeadlineSeconds)];
  if (is !== undefined && is > 0 && (was === undefined || is <= was)) next.activeDeadlineSeconds = prev.activeDeadlineSeconds;
  const before: unknown[] = prev.tolerations ?? [];
  if (before.every((t) => (next.tolerations ?? []).some((n: unknown) => isDeepStrictEqual(n, t)))) next.tolerations = prev.tolerations;
  if (typeof prev.terminationGracePeriodSeconds === 'number' && prev.terminationGracePeriodSeconds < 0 && next.terminationGracePeriodSeconds === 1) {
    next.terminationGracePeriodSeconds = prev.terminationGracePeriodSeconds;
  }
  const gates: unknown[] = next.schedulingGates ?? [];
  if (gates.every((g) => (prev.schedulingGates ?? []).some((p: unknown) => isDeepStrictEqual(p, g)))) next.schedulingGates = prev.schedulingGates;
  return isDeepStrictEqual(strip(next), strip(prev)) ? [] : [forbidden('spec', MUTABLE)];
}

/** Absent and empty lists compare alike, as Go's semantic equality has them. */
function strip(spec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[k] = v;
  return out;
}
