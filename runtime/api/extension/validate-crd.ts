import type { StatusCause } from '../../errors/status-error.js';
import { nameProblems } from '../../kube/dns-names.js';
import type { KubeObject } from '../../kube/object.js';
import { duplicate, forbidden, invalidValue, notSupported, required } from '../validation/field-error.js';
import { namesOf } from './custom-versions.js';
import { isObjectValue, type JsonSchema } from './json-schema.js';
import { validateValue } from './schema-validation.js';
import { structuralProblems } from './structural-schema.js';

/** Deleting a CRD waits on this finalizer until its custom resources are gone (apiextensions' finalizer controller). */
export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];

/** Kubernetes' defaults for a CRD (SetDefaults_CustomResourceDefinitionSpec), in place; on create, the cleanup finalizer. */
export function defaultCrd(crd: KubeObject, creating: boolean): void {
  const spec = crd.spec;
  if (!isObjectValue(spec)) return;
  if (isObjectValue(spec.names) && typeof spec.names.kind === 'string') {
    const names = spec.names as Record<string, unknown>;
    names.singular ||= spec.names.kind.toLowerCase();
    names.listKind ||= `${spec.names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
  if (creating && !(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) {
    crd.metadata.finalizers = [...(crd.metadata.finalizers ?? []), CRD_CLEANUP_FINALIZER];
  }
}

function dns1035(field: string, value: string): StatusCause[] {
  return nameProblems(value, 'dns1035').map((p) => invalidValue(field, value, p));
}

function namesProblems(spec: any): StatusCause[] {
  const out: StatusCause[] = [];
  const n = namesOf(spec);
  if (!n.plural) out.push(required('spec.names.plural'));
  else out.push(...dns1035('spec.names.plural', n.plural));
  out.push(...dns1035('spec.names.singular', n.singular).filter(() => n.singular !== ''));
  if (!n.kind) out.push(required('spec.names.kind'));
  else if (nameProblems(n.kind.toLowerCase(), 'dns1035').length) out.push(invalidValue('spec.names.kind', n.kind, 'may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?'));
  if (n.kind && n.kind === n.listKind) out.push(invalidValue('spec.names.listKind', n.listKind, 'kind and listKind may not be the same'));
  n.shortNames.forEach((s, i) => out.push(...dns1035(`spec.names.shortNames[${i}]`, s)));
  n.categories.forEach((c, i) => out.push(...dns1035(`spec.names.categories[${i}]`, c)));
  return out;
}

function scaleProblems(scale: any, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const under = (field: string, value: unknown, prefixes: string[], what: string) => {
    if (value === undefined || value === '') out.push(required(`${path}.${field}`));
    else if (typeof value !== 'string' || !prefixes.some((p) => value.startsWith(p))) out.push(invalidValue(`${path}.${field}`, value, `should be a json path under ${what}`));
  };
  under('specReplicasPath', scale.specReplicasPath, ['.spec.'], '.spec');
  under('statusReplicasPath', scale.statusReplicasPath, ['.status.'], '.status');
  if (scale.labelSelectorPath !== undefined) under('labelSelectorPath', scale.labelSelectorPath, ['.spec.', '.status.'], 'either .spec or .status');
  return out;
}

/** Each `default` must itself be valid against the schema it sits in, as Kubernetes checks them when a CRD is written. */
function defaultProblems(s: JsonSchema, path: string, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (s.default !== undefined) {
    out.push(...validateValue(s.default, { ...s, default: undefined }, field).map((c) => ({ ...c, field: `${path}.default` })));
  }
  for (const [k, child] of Object.entries(s.properties ?? {})) {
    if (path.endsWith('openAPIV3Schema') && k === 'metadata') continue;
    out.push(...defaultProblems(child, `${path}.properties[${k}]`, field ? `${field}.${k}` : k));
  }
  if (s.items) out.push(...defaultProblems(s.items, `${path}.items`, `${field}[0]`));
  return out;
}

function versionProblems(v: any, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (!v.name) out.push(required(`${path}.name`));
  else out.push(...dns1035(`${path}.name`, String(v.name)));
  const schema = v.schema?.openAPIV3Schema;
  if (!isObjectValue(schema)) out.push(required(`${path}.schema.openAPIV3Schema`, 'schemas are required'));
  else {
    const structural = structuralProblems(schema, `${path}.schema.openAPIV3Schema`);
    out.push(...structural);
    if (structural.length === 0) out.push(...defaultProblems(schema, `${path}.schema.openAPIV3Schema`, ''));
  }
  if (v.subresources?.scale) out.push(...scaleProblems(v.subresources.scale, `${path}.subresources.scale`));
  (v.additionalPrinterColumns ?? []).forEach((c: any, i: number) => {
    const at = `${path}.additionalPrinterColumns[${i}]`;
    if (!c.name) out.push(required(`${at}.name`));
    if (!COLUMN_TYPES.includes(c.type)) out.push(c.type ? notSupported(`${at}.type`, c.type, COLUMN_TYPES) : required(`${at}.type`));
    if (!c.jsonPath) out.push(required(`${at}.jsonPath`));
  });
  return out;
}

/**
 * ValidateCustomResourceDefinition for what the runtime serves: name =
 * plural.group, names, scope, versions (exactly one storage version, unique
 * names, structural schemas), scale paths, printer columns, and conversion
 * `None` only. With `old`, the fields that may not change.
 */
export function validateCrd(crd: KubeObject, old?: KubeObject): StatusCause[] {
  if (!isObjectValue(crd.spec)) return [required('spec')];
  const spec: any = crd.spec;
  const out: StatusCause[] = [];
  const group = typeof spec.group === 'string' ? spec.group : '';
  const plural = namesOf(spec).plural;
  if (crd.metadata.name !== `${plural}.${group}`) out.push(invalidValue('metadata.name', crd.metadata.name ?? '', 'must be spec.names.plural+"."+spec.group'));
  if (!group) out.push(required('spec.group'));
  else if (!group.includes('.')) out.push(invalidValue('spec.group', group, 'should be a domain with at least one dot'));
  else out.push(...nameProblems(group, 'subdomain').map((p) => invalidValue('spec.group', group, p)));
  if (!spec.scope) out.push(required('spec.scope'));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') out.push(notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  out.push(...namesProblems(spec));
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) out.push(required('spec.versions', 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  versions.forEach((v: any, i: number) => {
    if (seen.has(v?.name)) out.push(duplicate(`spec.versions[${i}].name`, v.name));
    seen.add(v?.name);
    out.push(...versionProblems(v ?? {}, `spec.versions[${i}]`));
  });
  const storage = versions.filter((v: any) => v?.storage === true).length;
  if (versions.length > 0 && storage !== 1) out.push(invalidValue('spec.versions', versions.map((v: any) => v?.name), 'must have exactly one version marked as storage version'));
  if (versions.length > 0 && !versions.some((v: any) => v?.served === true)) out.push(invalidValue('spec.versions', versions.map((v: any) => v?.name), 'must have at least one version marked as served'));
  const strategy = spec.conversion?.strategy;
  if (strategy === 'Webhook') out.push(forbidden('spec.conversion.strategy', 'conversion webhooks are not supported by this runtime; use None'));
  else if (strategy !== 'None') out.push(notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  if (spec.preserveUnknownFields === true) {
    out.push(invalidValue('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  if (old?.spec && old.spec.scope !== spec.scope) out.push(invalidValue('spec.scope', spec.scope, 'field is immutable'));
  return out;
}
