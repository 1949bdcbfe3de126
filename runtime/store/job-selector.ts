import type { KubeObject } from '../objects/types.js';

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const LEGACY_JOB_NAME_LABEL = 'job-name';
const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';

/**
 * The Job strategy's generateSelector at create, once the uid is known:
 * unless `manualSelector` is true, the pod template carries
 * `controller-uid` and `job-name` labels (legacy and batch.kubernetes.io/
 * ones) and the selector matches on the uid. A Job without labels of its
 * own takes the template's, as SetDefaults_Job has it.
 */
export function generateJobSelector(job: KubeObject): void {
  const spec = job.spec;
  if (!spec || typeof spec !== 'object' || spec.manualSelector === true) return;
  const uid = String(job.metadata.uid);
  const name = String(job.metadata.name);
  spec.template ??= {};
  spec.template.metadata ??= {};
  const labels: Record<string, string> = (spec.template.metadata.labels ??= {});
  labels[LEGACY_CONTROLLER_UID_LABEL] ??= uid;
  labels[CONTROLLER_UID_LABEL] ??= uid;
  labels[JOB_NAME_LABEL] ??= name;
  labels[LEGACY_JOB_NAME_LABEL] ??= name;
  spec.selector ??= {};
  spec.selector.matchLabels ??= {};
  spec.selector.matchLabels[CONTROLLER_UID_LABEL] ??= uid;
  if (!job.metadata.labels || Object.keys(job.metadata.labels).length === 0) job.metadata.labels = { ...labels };
}
