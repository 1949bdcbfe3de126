import type { KubeObject } from '../kube/object.js';

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const LEGACY_JOB_NAME_LABEL = 'job-name';
const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';

// Validation has refused malformed specs by now; this only keeps a store write from throwing on one.
function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The Job strategy's generateSelector at create, once the uid is known:
 * unless `manualSelector` is true, the pod template carries
 * `controller-uid` and `job-name` labels (legacy and batch.kubernetes.io/
 * ones) and the selector matches on the uid. A Job without labels of its
 * own takes the template's, as SetDefaults_Job has it.
 */
export function generateJobSelector(job: KubeObject): void {
  const spec = job.spec;
  if (!isObj(spec) || spec.manualSelector === true) return;
  const uid = String(job.metadata.uid);
  const name = String(job.metadata.name);
  spec.template ??= {};
  if (!isObj(spec.template)) return;
  spec.template.metadata ??= {};
  if (!isObj(spec.template.metadata)) return;
  spec.template.metadata.labels ??= {};
  spec.selector ??= {};
  if (!isObj(spec.template.metadata.labels) || !isObj(spec.selector)) return;
  const labels: Record<string, string> = spec.template.metadata.labels;
  labels[LEGACY_CONTROLLER_UID_LABEL] ??= uid;
  labels[CONTROLLER_UID_LABEL] ??= uid;
  labels[JOB_NAME_LABEL] ??= name;
  labels[LEGACY_JOB_NAME_LABEL] ??= name;
  spec.selector.matchLabels ??= {};
  if (isObj(spec.selector.matchLabels)) spec.selector.matchLabels[CONTROLLER_UID_LABEL] ??= uid;
  if (!job.metadata.labels || Object.keys(job.metadata.labels).length === 0) job.metadata.labels = { ...labels };
}
