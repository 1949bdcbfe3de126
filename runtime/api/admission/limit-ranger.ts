import type { KubeObject } from '../../kube/object.js';
import { canonicalQuantity } from '../../kube/quantity-format.js';
import { parseQuantity } from '../../kube/quantity.js';

type ResourceList = Record<string, string | number>;

interface LimitRangeItem {
  type?: string;
  min?: ResourceList;
  max?: ResourceList;
  default?: ResourceList;
  defaultRequest?: ResourceList;
  maxLimitRequestRatio?: ResourceList;
}

function itemsOf(limitRange: KubeObject): LimitRangeItem[] {
  return Array.isArray(limitRange.spec?.limits) ? limitRange.spec.limits : [];
}

/**
 * SetDefaults_LimitRangeItem, for a LimitRange being stored: a Container
 * item's `default` falls back to `max`, its `defaultRequest` to `default`,
 * then to `min`.
 */
export function defaultLimitRange(limitRange: KubeObject): void {
  for (const item of itemsOf(limitRange)) {
    if (item?.type !== 'Container') continue;
    item.default ??= {};
    item.defaultRequest ??= {};
    for (const [k, v] of Object.entries(item.max ?? {})) item.default[k] ??= v;
    for (const [k, v] of Object.entries(item.default)) item.defaultRequest[k] ??= v;
    for (const [k, v] of Object.entries(item.min ?? {})) item.defaultRequest[k] ??= v;
  }
}

function containersOf(pod: KubeObject): any[] {
  const spec = pod.spec ?? {};
  return [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])];
}

/** SetDefaults_Pod: a container with a limit and no request for a resource requests its limit. */
export function defaultRequestsFromLimits(pod: KubeObject): void {
  for (const c of containersOf(pod)) {
    const limits = c?.resources?.limits;
    if (!limits || typeof limits !== 'object') continue;
    c.resources.requests ??= {};
    for (const [k, v] of Object.entries(limits)) c.resources.requests[k] ??= v;
  }
}

/**
 * LimitRanger's mutation of a new pod: each container gets the Container
 * items' `default` limits and `defaultRequest` requests it does not set, and
 * the pod the `kubernetes.io/limit-ranger` annotation naming what was set.
 */
export function applyLimitRangeDefaults(pod: KubeObject, limitRanges: KubeObject[]): void {
  const limits: ResourceList = {};
  const requests: ResourceList = {};
  for (const lr of limitRanges) {
    for (const item of itemsOf(lr)) {
      if (item?.type !== 'Container') continue;
      Object.assign(requests, item.defaultRequest ?? {});
      Object.assign(limits, item.default ?? {});
    }
  }
  if (Object.keys(limits).length === 0 && Object.keys(requests).length === 0) return;
  const notes: string[] = [];
  const spec = pod.spec ?? {};
  const groups: Array<[string, any[]]> = [
    ['container', Array.isArray(spec.containers) ? spec.containers : []],
    ['init container', Array.isArray(spec.initContainers) ? spec.initContainers : []],
  ];
  for (const [prefix, containers] of groups) {
    for (const c of containers) {
      c.resources ??= {};
      const setRequests = mergeMissing((c.resources.requests ??= {}), requests);
      const setLimits = mergeMissing((c.resources.limits ??= {}), limits);
      if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name}`);
      if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name}`);
      if (Object.keys(c.resources.requests).length === 0) delete c.resources.requests;
      if (Object.keys(c.resources.limits).length === 0) delete c.resources.limits;
    }
  }
  if (notes.length) {
    pod.metadata.annotations = { ...pod.metadata.annotations, 'kubernetes.io/limit-ranger': `LimitRanger plugin set: ${notes.join('; ')}` };
  }
}

function mergeMissing(into: ResourceList, defaults: ResourceList): string[] {
  const set: string[] = [];
  for (const [k, v] of Object.entries(defaults)) {
    if (into[k] !== undefined) continue;
    into[k] = v;
    set.push(k);
  }
  return set;
}

/** Kubernetes compares in milli-units where they fit (requestLimitEnforcedValues). */
const milli = (v: string | number) => Math.round(parseQuantity(v) * 1000);
const str = (v: string | number) => canonicalQuantity(v);

function minConstraint(kind: string, resource: string, enforced: string | number, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[resource];
  const lim = limits[resource];
  if (req === undefined) return `minimum ${resource} usage per ${kind} is ${str(enforced)}.  No request is specified`;
  if (milli(req) < milli(enforced)) return `minimum ${resource} usage per ${kind} is ${str(enforced)}, but request is ${str(req)}`;
  if (lim !== undefined && milli(lim) < milli(enforced)) return `minimum ${resource} usage per ${kind} is ${str(enforced)}, but limit is ${str(lim)}`;
  return undefined;
}

function maxConstraint(kind: string, resource: string, enforced: string | number, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[resource];
  const lim = limits[resource];
  if (lim === undefined) return `maximum ${resource} usage per ${kind} is ${str(enforced)}.  No limit is specified`;
  if (milli(lim) > milli(enforced)) return `maximum ${resource} usage per ${kind} is ${str(enforced)}, but limit is ${str(lim)}`;
  if (req !== undefined && milli(req) > milli(enforced)) return `maximum ${resource} usage per ${kind} is ${str(enforced)}, but request is ${str(req)}`;
  return undefined;
}

function ratioConstraint(kind: string, resource: string, enforced: string | number, requests: ResourceList, limits: ResourceList): string | undefined {
  const req = requests[resource];
  const lim = limits[resource];
  if (req === undefined || milli(req) === 0) return `${resource} max limit to request ratio per ${kind} is ${str(enforced)}, but no request is specified or request is 0`;
  if (lim === undefined || milli(lim) === 0) return `${resource} max limit to request ratio per ${kind} is ${str(enforced)}, but no limit is specified or limit is 0`;
  const ratio = milli(lim) / milli(req);
  if (ratio * 1000 > milli(enforced)) return `${resource} max limit to request ratio per ${kind} is ${str(enforced)}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function checkItem(kind: string, item: LimitRangeItem, requests: ResourceList, limits: ResourceList, out: string[]): void {
  for (const [k, v] of Object.entries(item.min ?? {})) pushIf(out, minConstraint(kind, k, v, requests, limits));
  for (const [k, v] of Object.entries(item.max ?? {})) pushIf(out, maxConstraint(kind, k, v, requests, limits));
  for (const [k, v] of Object.entries(item.maxLimitRequestRatio ?? {})) pushIf(out, ratioConstraint(kind, k, v, requests, limits));
}

function pushIf(out: string[], problem: string | undefined): void {
  if (problem !== undefined && !out.includes(problem)) out.push(problem);
}

function sum(lists: ResourceList[]): ResourceList {
  const out: Record<string, number> = {};
  for (const list of lists) for (const [k, v] of Object.entries(list ?? {})) out[k] = (out[k] ?? 0) + parseQuantity(v);
  return out;
}

/** A pod's requests or limits: its containers summed, or the largest init container's when that is more (podRequests/podLimits). */
function podTotal(pod: KubeObject, field: 'requests' | 'limits'): ResourceList {
  const total = sum((pod.spec?.containers ?? []).map((c: any) => c?.resources?.[field] ?? {})) as Record<string, number>;
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries((c?.resources?.[field] ?? {}) as ResourceList)) total[k] = Math.max(total[k] ?? 0, parseQuantity(v));
  }
  return total;
}

/** PodValidateLimitFunc: what a new pod breaks of the namespace's Container and Pod items, in Kubernetes' words. */
export function podLimitProblems(pod: KubeObject, limitRanges: KubeObject[]): string[] {
  const out: string[] = [];
  for (const lr of limitRanges) {
    for (const item of itemsOf(lr)) {
      if (item?.type === 'Container') {
        for (const c of containersOf(pod)) checkItem('Container', item, c?.resources?.requests ?? {}, c?.resources?.limits ?? {}, out);
      } else if (item?.type === 'Pod') {
        checkItem('Pod', item, podTotal(pod, 'requests'), podTotal(pod, 'limits'), out);
      }
    }
  }
  return out;
}

/** PVCValidateLimitFunc: a new claim's storage request against PersistentVolumeClaim items. */
export function claimLimitProblems(claim: KubeObject, limitRanges: KubeObject[]): string[] {
  const out: string[] = [];
  const requests: ResourceList = claim.spec?.resources?.requests ?? {};
  for (const lr of limitRanges) {
    for (const item of itemsOf(lr)) {
      if (item?.type !== 'PersistentVolumeClaim') continue;
      for (const [k, v] of Object.entries(item.min ?? {})) pushIf(out, minConstraint('PersistentVolumeClaim', k, v, requests, {}));
      for (const [k, v] of Object.entries(item.max ?? {})) {
        const req = requests[k];
        if (req === undefined) pushIf(out, `maximum ${k} usage per PersistentVolumeClaim is ${str(v)}.  No request is specified`);
        else if (milli(req) > milli(v)) pushIf(out, `maximum ${k} usage per PersistentVolumeClaim is ${str(v)}, but request is ${str(req)}`);
      }
    }
  }
  return out;
}

/** utilerrors.Aggregate's message: one error alone, several in brackets. */
export function aggregateMessage(problems: string[]): string {
  return problems.length === 1 ? problems[0]! : `[${problems.join(', ')}]`;
}
