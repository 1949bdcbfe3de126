import { isIP } from 'node:net';
import { nameProblems, portNameProblems } from '../kube/dns-names.js';
import { invalidValue, notSupported, required } from '../api/validation/field-error.js';
import type { StatusCause } from '../errors/status-error.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const WILDCARD =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/**
 * The checks Kubernetes' networking/v1 validation makes on an Ingress spec
 * (ValidateIngressSpec), worded as it words them, for the API's edge: rules
 * or a defaultBackend, hosts (DNS names, a leading `*.` wildcard, no IPs),
 * paths (pathType required, absolute, no `//` or dot segments), and backends
 * (exactly one of service or resource; a service port by name or number).
 */
export function validateIngressSpec(spec: any, path = 'spec'): StatusCause[] {
  if (!spec || typeof spec !== 'object') return [required(path)];
  const causes: StatusCause[] = [];
  const rules: any[] = Array.isArray(spec.rules) ? spec.rules : [];
  if (rules.length === 0 && !spec.defaultBackend) causes.push(invalidValue(`${path}.rules`, spec.rules ?? null, 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) causes.push(...validateBackend(spec.defaultBackend, `${path}.defaultBackend`));
  if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) {
    for (const p of nameProblems(String(spec.ingressClassName), 'subdomain')) causes.push(invalidValue(`${path}.ingressClassName`, spec.ingressClassName, p));
  }
  rules.forEach((rule, i) => {
    const at = `${path}.rules[${i}]`;
    if (rule?.host) causes.push(...hostProblems(String(rule.host), `${at}.host`));
    if (rule?.http === undefined || rule?.http === null) return;
    const paths: any[] = Array.isArray(rule.http.paths) ? rule.http.paths : [];
    if (paths.length === 0) causes.push(required(`${at}.http.paths`));
    paths.forEach((p, j) => causes.push(...validatePath(p, `${at}.http.paths[${j}]`)));
  });
  ((Array.isArray(spec.tls) ? spec.tls : []) as any[]).forEach((tls, i) => {
    ((Array.isArray(tls?.hosts) ? tls.hosts : []) as unknown[]).forEach((host, j) => causes.push(...hostProblems(String(host), `${path}.tls[${i}].hosts[${j}]`)));
  });
  return causes;
}

function hostProblems(host: string, field: string): StatusCause[] {
  if (isIP(host)) return [invalidValue(field, host, 'must be a DNS name, not an IP address')];
  if (host.includes('*')) {
    const ok = host.startsWith('*.') && nameProblems(host.slice(2), 'subdomain').length === 0;
    return ok ? [] : [invalidValue(field, host, WILDCARD)];
  }
  return nameProblems(host, 'subdomain').map((p) => invalidValue(field, host, p));
}

function validatePath(p: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const value = typeof p?.path === 'string' ? p.path : '';
  if (p?.pathType === undefined || p?.pathType === null) causes.push({ ...required(`${at}.pathType`), message: 'Required value: pathType must be specified' });
  else if (!PATH_TYPES.includes(p.pathType)) causes.push(notSupported(`${at}.pathType`, p.pathType, PATH_TYPES));
  const strict = p?.pathType === 'Exact' || p?.pathType === 'Prefix';
  if ((strict || value !== '') && !value.startsWith('/')) causes.push(invalidValue(`${at}.path`, value, 'must be an absolute path'));
  else if (strict) {
    for (const bad of ['//', '/./', '/../', '%2f', '%2F']) if (value.includes(bad)) causes.push(invalidValue(`${at}.path`, value, `must not contain '${bad}'`));
    for (const bad of ['/..', '/.']) if (value.endsWith(bad)) causes.push(invalidValue(`${at}.path`, value, `cannot end with '${bad}'`));
  }
  causes.push(...validateBackend(p?.backend, `${at}.backend`));
  return causes;
}

function validateBackend(backend: any, at: string): StatusCause[] {
  const service = backend?.service;
  const resource = backend?.resource;
  if (service && resource) return [invalidValue(at, '', 'cannot set both resource and service backends')];
  if (!service && !resource) return [invalidValue(at, '', 'resource or service backend is required')];
  if (resource) return typeof resource.kind === 'string' && typeof resource.name === 'string' ? [] : [required(`${at}.resource.kind`)];
  const causes: StatusCause[] = [];
  if (typeof service.name !== 'string' || service.name === '') causes.push(required(`${at}.service.name`));
  else for (const p of nameProblems(service.name, 'dns1035')) causes.push(invalidValue(`${at}.service.name`, service.name, p));
  const port = service.port ?? {};
  const hasName = typeof port.name === 'string' && port.name !== '';
  const hasNumber = port.number !== undefined && port.number !== null && port.number !== 0;
  if (hasName && hasNumber) causes.push(invalidValue(`${at}.service.port`, '', 'cannot set both port name & port number'));
  else if (hasName) causes.push(...portNameProblems(port.name).map((m) => invalidValue(`${at}.service.port.name`, port.name, m)));
  else if (hasNumber) {
    if (!Number.isInteger(port.number) || port.number < 1 || port.number > 65535) causes.push(invalidValue(`${at}.service.port.number`, port.number, 'must be between 1 and 65535, inclusive'));
  } else causes.push({ ...required(`${at}.service.port`), message: 'Required value: port name or number is required' });
  return causes;
}
