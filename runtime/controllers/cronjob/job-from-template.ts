import type { KubeObject } from '../../kube/object.js';
import { applyDefaults } from '../../api/defaulting/apply-defaults.js';
import { newControllerRef } from '../controller-ref.js';
import { jobNameFor } from './cronjob-plan.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/**
 * getJobFromTemplate2: the Job a CronJob starts at `scheduled`, with the
 * template's labels and annotations, the scheduled time, a controller
 * reference, and the defaults the API server would give it.
 */
export function jobFromTemplate(cj: KubeObject, scheduled: Date): KubeObject {
  const template = cj.spec?.jobTemplate ?? {};
  const job: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(String(cj.metadata.name), scheduled),
      namespace: cj.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339In(scheduled, cj.spec?.timeZone) },
      ownerReferences: [newControllerRef(cj)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
  if (Object.keys(job.metadata.labels!).length === 0) delete job.metadata.labels;
  return applyDefaults(job);
}

/** Go's `t.In(loc).Format(time.RFC3339)`: wall time in `timeZone` with its offset (`Z` for UTC, and when no zone is set). */
export function rfc3339In(date: Date, timeZone: string | undefined): string {
  const utc = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (!timeZone) return utc;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const offset = String(parts.timeZoneName).replace(/^GMT/, '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset === '' || offset === '+00:00' ? 'Z' : offset}`;
}
