import type { KubeObject } from '../../kube/object.js';

export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

/** The pod's completion index (Indexed Jobs), or undefined when it has none or a malformed one. */
export function podIndex(pod: KubeObject): number | undefined {
  const raw = pod.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION] ?? pod.metadata.labels?.[COMPLETION_INDEX_ANNOTATION];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** Sorted indexes as Kubernetes writes `completedIndexes`: ranges joined by commas, e.g. `0-2,4,6-7`. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The indexes of a `completedIndexes` string (`0-2,4` → 0, 1, 2, 4); malformed parts are skipped. */
export function parseIndexes(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let i = from; i <= to && out.length < 100_000; i++) out.push(i);
  }
  return out;
}

/**
 * The pod for one index of an Indexed Job (addCompletionIndexEnvVariables and
 * friends): the index as annotation and label, `JOB_COMPLETION_INDEX` in every
 * container from that annotation, hostname `<job>-<index>`, and a name
 * prefix `<job>-<index>-`.
 */
export function withCompletionIndex(pod: KubeObject, jobName: string, index: number): KubeObject {
  const value = String(index);
  const prefix = `${jobName}-${value}-`;
  pod.metadata.generateName = prefix;
  pod.metadata.name = prefix.slice(0, 58) + String(pod.metadata.name).slice(-5);
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [COMPLETION_INDEX_ANNOTATION]: value };
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [COMPLETION_INDEX_ANNOTATION]: value };
  pod.spec.hostname ??= `${jobName}-${value}`.slice(0, 63);
  const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } };
  for (const list of [pod.spec.initContainers, pod.spec.containers]) {
    for (const c of (list ?? []) as Array<{ env?: Array<{ name: string }> }>) {
      if (!(c.env ?? []).some((e) => e.name === env.name)) c.env = [...(c.env ?? []), structuredClone(env)];
    }
  }
  return pod;
}
