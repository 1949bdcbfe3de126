import type { StatusCause } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { selectorIsEmpty, selectorMatches } from '../../kube/label-selector.js';
import { semanticEqual } from '../../kube/canonical-json.js';
import { forbidden, invalidValue, notSupported, required } from './field-error.js';
import { validateLabelSelector } from './validate-label-selector.js';
import { validatePodSpec } from './validate-pod-spec.js';

/** ValidateNonnegativeIntOrPercent and IsValidPercent; the percentage as a number, or the int. */
export function intOrPercentProblems(value: unknown, path: string): StatusCause[] {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 ? [] : [invalidValue(path, value, 'must be greater than or equal to 0')];
  }
  if (typeof value !== 'string' || !/^[0-9]+%$/.test(value)) return [invalidValue(path, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
  return Number.parseInt(value, 10) > 100 ? [invalidValue(path, value, 'must not be greater than 100%')] : [];
}

const isZero = (v: unknown) => v === 0 || v === '0%';

function templateCauses(spec: any, selectorMatchesLabels: boolean, labels: unknown): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!spec.template) return [required('spec.template')];
  if (!selectorMatchesLabels) causes.push(invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  const restart = spec.template.spec?.restartPolicy;
  if (restart !== undefined && restart !== 'Always') causes.push(notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  if (spec.template.spec?.activeDeadlineSeconds !== undefined) causes.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in DaemonSet is not Supported'));
  causes.push(...validatePodSpec(spec.template.spec, 'spec.template.spec'));
  return causes;
}

/** ValidateDaemonSetSpec: a non-empty selector matching the template, pods that restart Always, and a known update strategy. */
export function validateDaemonSet(obj: KubeObject): StatusCause[] {
  const spec = obj.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const causes: StatusCause[] = [];
  const labels = spec.template?.metadata?.labels ?? {};
  if (!spec.selector) causes.push(required('spec.selector'));
  else if (selectorIsEmpty(spec.selector)) causes.push(invalidValue('spec.selector', spec.selector, 'empty selector is invalid for daemonset'));
  else causes.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  causes.push(...templateCauses(spec, !spec.selector || selectorIsEmpty(spec.selector) || selectorMatches(spec.selector, labels), labels));
  const strategy = spec.updateStrategy ?? {};
  if (strategy.type !== 'RollingUpdate' && strategy.type !== 'OnDelete') causes.push(notSupported('spec.updateStrategy.type', strategy.type, ['OnDelete', 'RollingUpdate']));
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) {
    const { maxUnavailable, maxSurge } = strategy.rollingUpdate;
    const path = 'spec.updateStrategy.rollingUpdate';
    if (maxUnavailable !== undefined) causes.push(...intOrPercentProblems(maxUnavailable, `${path}.maxUnavailable`));
    if (maxSurge !== undefined) causes.push(...intOrPercentProblems(maxSurge, `${path}.maxSurge`));
    // Exactly one of the two is non-zero.
    if (isZero(maxUnavailable ?? 0) && isZero(maxSurge ?? 0)) causes.push(required(`${path}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
    if (!isZero(maxUnavailable ?? 0) && !isZero(maxSurge ?? 0)) causes.push(invalidValue(`${path}.maxSurge`, maxSurge, 'may not be set when maxUnavailable is non-zero'));
  }
  if (spec.minReadySeconds !== undefined && (!Number.isInteger(spec.minReadySeconds) || spec.minReadySeconds < 0)) causes.push(invalidValue('spec.minReadySeconds', spec.minReadySeconds, 'must be greater than or equal to 0'));
  return causes;
}

/** ValidateDaemonSetUpdate: the selector may not change (it would orphan the pods it runs). */
export function validateDaemonSetUpdate(obj: KubeObject, old: KubeObject): StatusCause[] {
  return semanticEqual(obj.spec?.selector ?? null, old.spec?.selector ?? null) ? [] : [invalidValue('spec.selector', obj.spec?.selector, 'field is immutable')];
}

/** ValidateReplicationControllerSpec: a non-empty equality selector that the template's labels satisfy. */
export function validateReplicationController(obj: KubeObject): StatusCause[] {
  const spec = obj.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const causes: StatusCause[] = [];
  const selector: Record<string, string> = spec.selector ?? {};
  const labels: Record<string, string> = spec.template?.metadata?.labels ?? {};
  if (Object.keys(selector).length === 0) causes.push(required('spec.selector'));
  if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0)) causes.push(invalidValue('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  const matches = Object.entries(selector).every(([k, v]) => labels[k] === v);
  causes.push(...templateCauses(spec, matches, labels));
  return causes;
}

/** ValidatePodDisruptionBudgetSpec: minAvailable or maxUnavailable (not both), each a non-negative int or a percentage up to 100%. */
export function validatePodDisruptionBudget(obj: KubeObject): StatusCause[] {
  const spec = obj.spec ?? {};
  const causes: StatusCause[] = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) causes.push(invalidValue('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  if (spec.minAvailable !== undefined) causes.push(...intOrPercentProblems(spec.minAvailable, 'spec.minAvailable'));
  if (spec.maxUnavailable !== undefined) causes.push(...intOrPercentProblems(spec.maxUnavailable, 'spec.maxUnavailable'));
  if (spec.selector) causes.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && policy !== 'IfHealthyBudget' && policy !== 'AlwaysAllow') causes.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  return causes;
}
