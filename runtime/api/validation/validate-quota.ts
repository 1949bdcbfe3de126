import type { StatusCause } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { canonicalQuantity } from '../../kube/quantity-format.js';
import { quantityValue } from '../../kube/quantity.js';
import { typeCountedBy } from '../../objects/quota-usage.js';
import { forbidden, invalidValue, notSupported, required } from './field-error.js';

const LIMIT_TYPES = ['Container', 'Pod', 'PersistentVolumeClaim'];

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Quantities of a resource list: each parses and is not negative (ValidateResourceQuantityValue). */
function quantities(list: unknown, path: string, causes: StatusCause[]): Record<string, number> {
  const out: Record<string, number> = {};
  if (list === undefined || list === null) return out;
  if (!isMap(list)) {
    causes.push(invalidValue(path, list, 'must be a map of resource names to quantities'));
    return out;
  }
  for (const [name, raw] of Object.entries(list)) {
    const value = quantityValue(raw);
    if (value === undefined) causes.push(invalidValue(`${path}[${name}]`, raw, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    else if (value < 0) causes.push(invalidValue(`${path}[${name}]`, raw, 'must be greater than or equal to 0'));
    else out[name] = value;
  }
  return out;
}

/** IsIntegerResourceName: object counts, as opposed to compute quantities. */
function isIntegerResource(name: string): boolean {
  return !/^(requests\.|limits\.)?(cpu|memory|ephemeral-storage|storage)$/.test(name);
}

/**
 * ValidateResourceQuota, for the names this runtime counts (every
 * object-count and compute name of the pod, service and claim evaluators);
 * others (hugepages, extended resources, storage-class scoped names) and
 * `scopes`/`scopeSelector` are refused as not supported rather than ignored.
 */
export function validateResourceQuota(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = obj.spec ?? {};
  const hard = quantities(spec.hard, 'spec.hard', causes);
  for (const [name, value] of Object.entries(hard)) {
    if (!typeCountedBy(name)) {
      causes.push(invalidValue(`spec.hard[${name}]`, name, 'not supported by the baton runtime: it counts pods, cpu, memory, ephemeral-storage (requests./limits.), services(.nodeports/.loadbalancers), configmaps, secrets, persistentvolumeclaims, requests.storage, replicationcontrollers, resourcequotas and count/<resource>'));
    } else if (isIntegerResource(name) && !Number.isInteger(value)) {
      causes.push(invalidValue(`spec.hard[${name}]`, spec.hard[name], 'must be an integer'));
    }
  }
  if (Array.isArray(spec.scopes) && spec.scopes.length) causes.push(forbidden('spec.scopes', 'quota scopes are not supported by the baton runtime'));
  if (spec.scopeSelector !== undefined) causes.push(forbidden('spec.scopeSelector', 'quota scopes are not supported by the baton runtime'));
  return causes;
}

function compare(causes: StatusCause[], path: string, a: Record<string, number>, b: Record<string, number>, raw: { a: any; b: any }, message: (x: string, y: string) => string): void {
  for (const [k, v] of Object.entries(a)) {
    if (b[k] !== undefined && v > b[k]!) causes.push(invalidValue(`${path}[${k}]`, canonicalQuantity(raw.a[k]), message(canonicalQuantity(raw.a[k]), canonicalQuantity(raw.b[k]))));
  }
}

/** ValidateLimitRange: a known type per item, no defaults on Pod items, and min ≤ defaultRequest ≤ default ≤ max; a ratio of at least 1. */
export function validateLimitRange(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const limits = obj.spec?.limits;
  if (!Array.isArray(limits)) return [required('spec.limits')];
  limits.forEach((raw: unknown, i: number) => {
    const at = `spec.limits[${i}]`;
    if (!isMap(raw)) return causes.push(invalidValue(at, raw, 'must be an object'));
    const item = raw as Record<string, any>;
    if (item.type === undefined) causes.push(required(`${at}.type`));
    else if (!LIMIT_TYPES.includes(item.type)) causes.push(notSupported(`${at}.type`, item.type, LIMIT_TYPES));
    const min = quantities(item.min, `${at}.min`, causes);
    const max = quantities(item.max, `${at}.max`, causes);
    const def = quantities(item.default, `${at}.default`, causes);
    const defReq = quantities(item.defaultRequest, `${at}.defaultRequest`, causes);
    const ratio = quantities(item.maxLimitRequestRatio, `${at}.maxLimitRequestRatio`, causes);
    if (item.type === 'Pod') {
      if (Object.keys(def).length) causes.push(forbidden(`${at}.default`, "may not be specified when `type` is 'Pod'"));
      if (Object.keys(defReq).length) causes.push(forbidden(`${at}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
    }
    compare(causes, `${at}.min`, min, max, { a: item.min, b: item.max }, (a, b) => `min value ${a} is greater than max value ${b}`);
    compare(causes, `${at}.defaultRequest`, min, defReq, { a: item.min, b: item.defaultRequest }, (a, b) => `min value ${a} is greater than default request value ${b}`);
    compare(causes, `${at}.defaultRequest`, defReq, max, { a: item.defaultRequest, b: item.max }, (a, b) => `default request value ${a} is greater than max value ${b}`);
    compare(causes, `${at}.defaultRequest`, defReq, def, { a: item.defaultRequest, b: item.default }, (a, b) => `default request value ${a} is greater than default limit value ${b}`);
    compare(causes, `${at}.default`, def, max, { a: item.default, b: item.max }, (a, b) => `default value ${a} is greater than max value ${b}`);
    for (const [k, v] of Object.entries(ratio)) {
      if (v < 1) causes.push(invalidValue(`${at}.maxLimitRequestRatio[${k}]`, canonicalQuantity(item.maxLimitRequestRatio[k]), `ratio ${canonicalQuantity(item.maxLimitRequestRatio[k])} is less than 1`));
    }
  });
  return causes;
}
