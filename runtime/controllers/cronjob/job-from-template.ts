import type { KubeObject } from '../../objects/types.js';
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
      annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: scheduled.toISOString().replace(/\.\d{3}Z$/, 'Z') },
      ownerReferences: [newControllerRef(cj)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
  if (Object.keys(job.metadata.labels!).length === 0) delete job.metadata.labels;
  return applyDefaults(job);
}
