import type { StatusCause } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { quantityValue } from '../../kube/quantity.js';
import { invalidValue, notSupported, required } from './field-error.js';

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function validateTarget(target: any, path: string): StatusCause[] {
  if (!target || typeof target !== 'object') return [required(`${path}.target`, 'must specify a metric target')];
  const causes: StatusCause[] = [];
  if (target.type === 'Utilization') {
    if (target.averageUtilization === undefined) causes.push(required(`${path}.target.averageUtilization`, 'must set averageUtilization for a Utilization target'));
    else if (!isInt(target.averageUtilization) || target.averageUtilization <= 0) causes.push(invalidValue(`${path}.target.averageUtilization`, target.averageUtilization, 'must be greater than 0'));
  } else if (target.type === 'AverageValue') {
    const value = quantityValue(target.averageValue);
    if (target.averageValue === undefined) causes.push(required(`${path}.target.averageValue`, 'must set averageValue for an AverageValue target'));
    else if (value === undefined || value <= 0) causes.push(invalidValue(`${path}.target.averageValue`, target.averageValue, 'must be positive'));
  } else if (target.type === 'Value') {
    causes.push(invalidValue(`${path}.target.type`, 'Value', 'must be either Utilization or AverageValue'));
  } else {
    causes.push(target.type === undefined ? required(`${path}.target.type`, 'must specify a metric target type') : notSupported(`${path}.target.type`, target.type, ['Utilization', 'Value', 'AverageValue']));
  }
  return causes;
}

function validateMetric(metric: any, path: string): StatusCause[] {
  if (metric?.type === 'Resource') {
    const resource = metric.resource;
    if (!resource || typeof resource !== 'object') return [required(`${path}.resource`, 'must populate information for the given metric source')];
    if (resource.name !== 'cpu' && resource.name !== 'memory') {
      return [resource.name ? notSupported(`${path}.resource.name`, resource.name, ['cpu', 'memory']) : required(`${path}.resource.name`, 'must specify a resource name')];
    }
    return validateTarget(resource.target, `${path}.resource`);
  }
  if (metric?.type === 'ContainerResource') {
    const source = metric.containerResource;
    if (!source || typeof source !== 'object') return [required(`${path}.containerResource`, 'must populate information for the given metric source')];
    if (source.name !== 'cpu' && source.name !== 'memory') {
      return [source.name ? notSupported(`${path}.containerResource.name`, source.name, ['cpu', 'memory']) : required(`${path}.containerResource.name`, 'must specify a resource name')];
    }
    const causes = source.container ? [] : [required(`${path}.containerResource.container`, 'must specify a container')];
    return [...causes, ...validateTarget(source.target, `${path}.containerResource`)];
  }
  if (['Pods', 'Object', 'External'].includes(metric?.type)) {
    return [{ reason: 'FieldValueNotSupported', field: `${path}.type`, message: `Unsupported value: "${metric.type}": only Resource and ContainerResource metrics are supported by baton's runtime` }];
  }
  return [metric?.type === undefined ? required(`${path}.type`, 'must specify a metric source type') : notSupported(`${path}.type`, metric.type, ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'])];
}

function validateRules(rules: any, path: string): StatusCause[] {
  if (rules === undefined || rules === null) return [];
  const causes: StatusCause[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (window !== undefined && (!isInt(window) || window < 0 || window > 3600)) causes.push(invalidValue(`${path}.stabilizationWindowSeconds`, window, 'must be less than or equal to 3600 and greater than or equal to 0'));
  if (rules.selectPolicy !== undefined && !['Max', 'Min', 'Disabled'].includes(rules.selectPolicy)) causes.push(notSupported(`${path}.selectPolicy`, rules.selectPolicy, ['Disabled', 'Max', 'Min']));
  const policies = rules.policies;
  if (policies !== undefined && (!Array.isArray(policies) || policies.length === 0)) causes.push(required(`${path}.policies`, 'must specify at least one Policy'));
  (Array.isArray(policies) ? policies : []).forEach((p: any, i: number) => {
    const at = `${path}.policies[${i}]`;
    if (p?.type !== 'Pods' && p?.type !== 'Percent') causes.push(p?.type === undefined ? required(`${at}.type`) : notSupported(`${at}.type`, p.type, ['Percent', 'Pods']));
    if (!isInt(p?.value) || p.value <= 0) causes.push(invalidValue(`${at}.value`, p?.value, 'must be greater than zero'));
    if (!isInt(p?.periodSeconds) || p.periodSeconds <= 0 || p.periodSeconds > 1800) causes.push(invalidValue(`${at}.periodSeconds`, p?.periodSeconds, 'must be greater than zero and less than or equal to 1800'));
  });
  return causes;
}

/** ValidateHorizontalPodAutoscaler for autoscaling/v2, Resource and ContainerResource metrics only (the rest are refused, not faked). */
export function validateHorizontalPodAutoscaler(obj: KubeObject): StatusCause[] {
  const spec = obj.spec ?? {};
  const causes: StatusCause[] = [];
  const ref = spec.scaleTargetRef;
  if (!ref?.kind) causes.push(required('spec.scaleTargetRef.kind'));
  if (!ref?.name) causes.push(required('spec.scaleTargetRef.name'));
  else if (ref.name.includes('/') || ref.name === '.' || ref.name === '..') causes.push(invalidValue('spec.scaleTargetRef.name', ref.name, 'may not contain \'/\' or be "." or ".."'));
  const min = spec.minReplicas ?? 1;
  if (!isInt(min) || min < 1) causes.push(invalidValue('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (!isInt(spec.maxReplicas) || spec.maxReplicas < 1) causes.push(invalidValue('spec.maxReplicas', spec.maxReplicas, 'must be greater than 0'));
  else if (isInt(min) && spec.maxReplicas < min) causes.push(invalidValue('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  if (obj.apiVersion === 'autoscaling/v1') {
    const target = spec.targetCPUUtilizationPercentage;
    if (target !== undefined && (!isInt(target) || target < 1)) causes.push(invalidValue('spec.targetCPUUtilizationPercentage', target, 'must be greater than 0'));
    return causes;
  }
  const metrics = spec.metrics ?? [];
  if (!Array.isArray(metrics)) causes.push(invalidValue('spec.metrics', metrics, 'must be a list'));
  else metrics.forEach((m: unknown, i: number) => causes.push(...validateMetric(m, `spec.metrics[${i}]`)));
  if (spec.behavior) {
    causes.push(...validateRules(spec.behavior.scaleUp, 'spec.behavior.scaleUp'));
    causes.push(...validateRules(spec.behavior.scaleDown, 'spec.behavior.scaleDown'));
  }
  return causes;
}
