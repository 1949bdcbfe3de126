import type { StatusCause } from '../../errors/status-error.js';
import { nameProblems } from '../../kube/dns-names.js';
import { forbidden, invalidValue, notSupported, required, tooLong } from './field-error.js';

const MAX_CONTROLLER = 250;
const HTTP_PATH = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const SCOPES = ['Cluster', 'Namespace'];

/** Kubernetes' IsDomainPrefixedPath: `acme.io/foo`, a DNS subdomain, a slash, and an HTTP path. */
function domainPrefixedPathProblems(value: unknown, field: string): StatusCause[] {
  if (typeof value !== 'string' || value === '') return [required(field)];
  const slash = value.indexOf('/');
  const host = slash < 0 ? value : value.slice(0, slash);
  const path = slash < 0 ? '' : value.slice(slash + 1);
  if (!host || !path) return [invalidValue(field, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const causes = nameProblems(host, 'subdomain').map((p) => invalidValue(field, host, p));
  if (!new RegExp(`^${HTTP_PATH}$`).test(path)) causes.push(invalidValue(field, path, `Invalid path (regex used for validation is '${HTTP_PATH}')`));
  return causes;
}

function pathSegmentProblems(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

function validateParameters(params: any, at: string): StatusCause[] {
  if (params === undefined || params === null) return [];
  const causes: StatusCause[] = [];
  if (params.apiGroup !== undefined && params.apiGroup !== null) {
    for (const p of nameProblems(String(params.apiGroup), 'subdomain')) causes.push(invalidValue(`${at}.apiGroup`, params.apiGroup, p));
  }
  for (const key of ['kind', 'name'] as const) {
    if (!params[key]) causes.push(required(`${at}.${key}`, `${key} is required`));
    else for (const p of pathSegmentProblems(String(params[key]))) causes.push(invalidValue(`${at}.${key}`, params[key], p));
  }
  const scope = params.scope;
  if (scope === undefined || scope === null) return [...causes, required(`${at}.scope`)];
  if (!SCOPES.includes(scope)) causes.push(notSupported(`${at}.scope`, scope, SCOPES));
  else if (scope === 'Namespace') {
    if (params.namespace === undefined || params.namespace === null) causes.push(required(`${at}.namespace`, "`parameters.scope` is set to 'Namespace'"));
    else for (const p of nameProblems(String(params.namespace), 'label')) causes.push(invalidValue(`${at}.namespace`, params.namespace, p));
  } else if (params.namespace !== undefined && params.namespace !== null) {
    causes.push(forbidden(`${at}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  }
  return causes;
}

/**
 * The checks Kubernetes makes on a networking/v1 IngressClass spec
 * (validateIngressClassSpec), worded as it words them: `controller` is
 * required and a domain-prefixed path such as `baton.dev/ingress`, and
 * `parameters` names a kind and object in a known scope.
 */
export function validateIngressClassSpec(spec: any, path = 'spec'): StatusCause[] {
  const controller = spec?.controller;
  const causes: StatusCause[] = [];
  if (typeof controller === 'string' && controller.length > MAX_CONTROLLER) causes.push(tooLong(`${path}.controller`, MAX_CONTROLLER));
  causes.push(...domainPrefixedPathProblems(controller, `${path}.controller`));
  causes.push(...validateParameters(spec?.parameters, `${path}.parameters`));
  return causes;
}

/** ValidateIngressClassUpdate's own rule: the controller of a class never changes. */
export function validateIngressClassUpdate(spec: any, oldSpec: any, path = 'spec'): StatusCause[] {
  const controller = spec?.controller ?? '';
  if (controller === (oldSpec?.controller ?? '')) return [];
  return [invalidValue(`${path}.controller`, controller, 'field is immutable')];
}
