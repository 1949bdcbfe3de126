import type { RequestAttributes } from './request-attributes.js';

/** An rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const has = (list: string[] | undefined, value: string) => (list ?? []).some((v) => v === '*' || v === value);

/** rbac/v1 ResourceMatches: a star, the resource (with its subresource), or a star before the subresource. */
function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const wanted = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === wanted) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

function nonResourceUrlMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs ?? []) {
    if (url === '*' || url === path) return true;
    if (url.endsWith('*') && path.startsWith(url.slice(0, -1))) return true;
  }
  return false;
}

/** Whether one rule allows the request (rbac's RuleAllows). */
export function ruleAllows(rule: PolicyRule, attrs: RequestAttributes): boolean {
  if (!has(rule.verbs, attrs.verb)) return false;
  if (!attrs.resourceRequest) return nonResourceUrlMatches(rule, attrs.path);
  if (!has(rule.apiGroups, attrs.apiGroup) || !resourceMatches(rule, attrs.resource, attrs.subresource)) return false;
  return !rule.resourceNames?.length || rule.resourceNames.includes(attrs.name);
}

/** Whether `owner` grants one broken-down rule (rbac/validation's ruleCovers: `*` is covered only by `*`). */
function ruleCovers(owner: PolicyRule, piece: PolicyRule): boolean {
  const covers = (mine: string[] | undefined, value: string) => (mine ?? []).includes('*') || (mine ?? []).includes(value);
  if (!covers(owner.verbs, piece.verbs[0])) return false;
  if (piece.nonResourceURLs) return nonResourceUrlMatches(owner, piece.nonResourceURLs[0]);
  const resource = piece.resources![0];
  const slash = resource.indexOf('/');
  const resourceCovered = covers(owner.resources, resource) || (slash > 0 && (owner.resources ?? []).includes(`*${resource.slice(slash)}`));
  if (!covers(owner.apiGroups, piece.apiGroups![0]) || !resourceCovered) return false;
  if (!owner.resourceNames?.length) return true;
  return !!piece.resourceNames && owner.resourceNames.includes(piece.resourceNames[0]);
}

/**
 * The rules of `wanted` no rule of `owned` covers, each broken down to one
 * verb, group, resource and name as rbac/validation's Covers does.
 */
export function uncoveredRules(owned: PolicyRule[], wanted: PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const rule of wanted) {
    for (const piece of breakDown(rule)) if (!owned.some((o) => ruleCovers(o, piece))) missing.push(piece);
  }
  return missing;
}

function breakDown(rule: PolicyRule): PolicyRule[] {
  const pieces: PolicyRule[] = [];
  const names = rule.resourceNames?.length ? rule.resourceNames.map((n) => [n]) : [undefined];
  for (const verb of rule.verbs ?? []) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        for (const name of names) pieces.push({ verbs: [verb], apiGroups: [group], resources: [resource], ...(name ? { resourceNames: name } : {}) });
      }
    }
    for (const url of rule.nonResourceURLs ?? []) pieces.push({ verbs: [verb], nonResourceURLs: [url] });
  }
  return pieces;
}
