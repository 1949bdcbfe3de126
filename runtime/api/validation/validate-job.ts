import { isDeepStrictEqual } from 'node:util';
import type { StatusCause } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { parseSchedule, timeZoneProblem } from '../../controllers/cronjob/cron-schedule.js';
import { selectorMatches } from '../../kube/label-selector.js';
import { forbidden, invalidValue, notSupported, required } from './field-error.js';
import { validateLabelSelector } from './validate-label-selector.js';
import { validatePodSpec } from './validate-pod-spec.js';

const NOT_YET = 'is not supported by the built-in runtime yet';

function nonNegative(value: unknown, path: string, causes: StatusCause[]): void {
  if (value === undefined || value === null) return;
  if (!Number.isInteger(value) || (value as number) < 0) causes.push(invalidValue(path, value, 'must be greater than or equal to 0'));
}

/**
 * A JobSpec as Kubernetes' validateJobSpec checks it. `generated` (a Job
 * without manualSelector) gets its selector at create, so only a selector
 * the user gave is checked against the template. Pod failure and success
 * policies and per-index back-off limits are refused rather than silently ignored.
 */
export function validateJobSpec(spec: any, path: string, generated: boolean): StatusCause[] {
  if (!spec || typeof spec !== 'object') return [required(path)];
  const causes: StatusCause[] = [];
  nonNegative(spec.parallelism, `${path}.parallelism`, causes);
  nonNegative(spec.completions, `${path}.completions`, causes);
  nonNegative(spec.backoffLimit, `${path}.backoffLimit`, causes);
  nonNegative(spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`, causes);
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null && (!Number.isInteger(spec.activeDeadlineSeconds) || spec.activeDeadlineSeconds <= 0)) {
    causes.push(invalidValue(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be greater than 0'));
  }
  const mode = spec.completionMode ?? 'NonIndexed';
  if (mode === 'Indexed') {
    if (spec.completions === undefined || spec.completions === null) causes.push(required(`${path}.completions`, 'when completion mode is Indexed'));
    else if (spec.completions > 100_000) causes.push(invalidValue(`${path}.completions`, spec.completions, 'must be less than or equal to 100000 when completion mode is Indexed'));
    if (typeof spec.parallelism === 'number' && spec.parallelism > 100_000) causes.push(invalidValue(`${path}.parallelism`, spec.parallelism, 'must be less than or equal to 100000 when completion mode is Indexed'));
  } else if (mode !== 'NonIndexed') causes.push(notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  for (const field of ['podFailurePolicy', 'successPolicy', 'backoffLimitPerIndex', 'maxFailedIndexes', 'managedBy']) {
    if (spec[field] !== undefined && spec[field] !== null) causes.push(forbidden(`${path}.${field}`, NOT_YET));
  }
  const labels = (spec.template?.metadata?.labels ?? {}) as Record<string, string>;
  if (spec.selector === undefined || spec.selector === null) {
    if (!generated) causes.push(required(`${path}.selector`));
  } else {
    causes.push(...validateLabelSelector(spec.selector, `${path}.selector`));
    if (!selectorMatches(spec.selector, labels)) causes.push(invalidValue(`${path}.template.metadata.labels`, labels, '`selector` does not match template `labels`'));
  }
  if (!spec.template) return [...causes, required(`${path}.template`)];
  const policy = spec.template.spec?.restartPolicy;
  if (policy !== 'OnFailure' && policy !== 'Never') causes.push(notSupported(`${path}.template.spec.restartPolicy`, policy ?? '', ['OnFailure', 'Never']));
  causes.push(...validatePodSpec(spec.template.spec, `${path}.template.spec`));
  return causes;
}

export function validateJob(job: KubeObject): StatusCause[] {
  return validateJobSpec(job.spec, 'spec', job.spec?.manualSelector !== true);
}

/** The Job fields Kubernetes does not let an update change (its ValidateJobUpdate, without the mutable scheduling directives). */
export function validateJobUpdate(job: KubeObject, old: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const field of ['selector', 'template', 'completionMode', 'completions', 'manualSelector'] as const) {
    if (!isDeepStrictEqual(job.spec?.[field], old.spec?.[field])) causes.push(invalidValue(`spec.${field}`, job.spec?.[field] ?? null, 'field is immutable'));
  }
  return causes;
}

/** ValidateCronJob: schedule parses, an explicit time zone, known policies, a valid job template, a name short enough for its Jobs'. */
export function validateCronJob(cj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = cj.metadata.name;
  // Jobs are named <cronjob>-<minutes>, 11 more characters, and must fit a label (63).
  if (typeof name === 'string' && name.length > 52) causes.push(invalidValue('metadata.name', name, 'must be no more than 52 characters'));
  const spec = cj.spec;
  if (!spec || typeof spec !== 'object') return [...causes, required('spec')];
  let zoneOk = true;
  if (spec.timeZone !== undefined && spec.timeZone !== null) {
    const problem = typeof spec.timeZone === 'string' ? timeZoneProblem(spec.timeZone) : 'must be a string';
    if (problem) {
      zoneOk = false;
      causes.push(invalidValue('spec.timeZone', spec.timeZone, problem));
    }
  }
  if (typeof spec.schedule !== 'string' || spec.schedule.trim() === '') causes.push(required('spec.schedule'));
  else if (zoneOk) {
    try {
      parseSchedule(spec.schedule, spec.timeZone ?? undefined, new Date());
    } catch (err) {
      causes.push(invalidValue('spec.schedule', spec.schedule, err instanceof Error ? err.message : String(err)));
    }
  }
  const policy = spec.concurrencyPolicy ?? 'Allow';
  if (!['Allow', 'Forbid', 'Replace'].includes(policy)) causes.push(notSupported('spec.concurrencyPolicy', policy, ['Allow', 'Forbid', 'Replace']));
  nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds', causes);
  nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit', causes);
  nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit', causes);
  const jobSpec = spec.jobTemplate?.spec;
  if (!jobSpec) causes.push(required('spec.jobTemplate.spec'));
  else causes.push(...validateJobSpec(jobSpec, 'spec.jobTemplate.spec', jobSpec.manualSelector !== true));
  return causes;
}
