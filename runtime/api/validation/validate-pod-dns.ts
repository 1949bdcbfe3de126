import { isIP } from 'node:net';
import type { StatusCause } from '../../errors/status-error.js';
import { nameProblems } from '../../kube/dns-names.js';
import { invalidValue, notSupported, required } from './field-error.js';

const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_NAMESERVERS = 3;
const MAX_SEARCH_PATHS = 32;
const MAX_SEARCH_LIST_CHARS = 2048;
const NOT_AN_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

function requiredBecause(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueRequired', field, message: `Required value: ${detail}` };
}

/** A PodSpec's DNS fields as Kubernetes validates them: hostname, subdomain, dnsPolicy, dnsConfig and hostAliases. */
export function validatePodDns(spec: any, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const field of ['hostname', 'subdomain'] as const) {
    if (typeof spec[field] === 'string' && spec[field]) for (const p of nameProblems(spec[field], 'label')) causes.push(invalidValue(`${path}.${field}`, spec[field], p));
  }
  const policy = spec.dnsPolicy;
  if (policy === '') causes.push(required(`${path}.dnsPolicy`));
  else if (policy !== undefined && !DNS_POLICIES.includes(policy)) causes.push(notSupported(`${path}.dnsPolicy`, policy, DNS_POLICIES));
  causes.push(...validateDnsConfig(spec.dnsConfig, policy, `${path}.dnsConfig`));
  const aliases = Array.isArray(spec.hostAliases) ? spec.hostAliases : [];
  aliases.forEach((alias: any, i: number) => {
    const at = `${path}.hostAliases[${i}]`;
    if (!isIP(String(alias?.ip ?? ''))) causes.push(invalidValue(`${at}.ip`, alias?.ip ?? '', NOT_AN_IP));
    const hostnames = Array.isArray(alias?.hostnames) ? alias.hostnames : [];
    hostnames.forEach((h: unknown, j: number) => {
      for (const p of nameProblems(String(h), 'subdomain')) causes.push(invalidValue(`${at}.hostnames[${j}]`, h, p));
    });
  });
  return causes;
}

function validateDnsConfig(config: any, policy: unknown, path: string): StatusCause[] {
  if (policy === 'None') {
    if (!config) return [requiredBecause(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (!config.nameservers?.length) return [requiredBecause(`${path}.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!config) return [];
  const causes: StatusCause[] = [];
  const nameservers: unknown[] = Array.isArray(config.nameservers) ? config.nameservers : [];
  if (nameservers.length > MAX_NAMESERVERS) causes.push(invalidValue(`${path}.nameservers`, nameservers, `must not have more than ${MAX_NAMESERVERS} nameservers`));
  nameservers.forEach((ns, i) => {
    if (!isIP(String(ns))) causes.push(invalidValue(`${path}.nameservers[${i}]`, ns, NOT_AN_IP));
  });
  const searches: unknown[] = Array.isArray(config.searches) ? config.searches : [];
  if (searches.length > MAX_SEARCH_PATHS) causes.push(invalidValue(`${path}.searches`, searches, `must not have more than ${MAX_SEARCH_PATHS} search paths`));
  if (searches.join(' ').length > MAX_SEARCH_LIST_CHARS) {
    causes.push(invalidValue(`${path}.searches`, searches, `must not have more than ${MAX_SEARCH_LIST_CHARS} characters (including spaces) in the search list`));
  }
  searches.forEach((search, i) => {
    // A trailing dot is fine.
    for (const p of nameProblems(String(search).replace(/\.$/, ''), 'subdomain')) causes.push(invalidValue(`${path}.searches[${i}]`, search, p));
  });
  const options: any[] = Array.isArray(config.options) ? config.options : [];
  options.forEach((option, i) => {
    if (!option?.name) causes.push(requiredBecause(`${path}.options[${i}]`, 'must not be empty'));
  });
  return causes;
}
