import type { KubeObject } from '../../kube/object.js';
import type { ResourceType } from '../../resources/registry.js';
import type { JsonSchema } from './json-schema.js';

/** A CRD version's additionalPrinterColumns entry. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  format?: string;
  description?: string;
  priority?: number;
}

/** The scale subresource's paths (`.spec.replicas` …). */
export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** One served version of a custom resource: what admission, printing, scale and OpenAPI need of its CRD. */
export interface CustomVersion {
  crd: string;
  type: ResourceType;
  /** The version objects are stored in (conversion `None`: only apiVersion differs). */
  storageVersion: string;
  schema: JsonSchema;
  columns: PrinterColumn[];
  scale?: ScalePaths;
  /** Fields a field selector may name besides metadata.name and metadata.namespace (`selectableFields`, as `spec.color`). */
  selectableFields: string[];
}

/** The names a CRD asks for, with Kubernetes' defaults (singular: lower-case kind; listKind: kind + List). */
export interface CrdNames {
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  shortNames: string[];
  categories: string[];
}

export function namesOf(spec: any): CrdNames {
  const n = spec?.names ?? {};
  const kind = String(n.kind ?? '');
  return {
    plural: String(n.plural ?? ''),
    singular: String(n.singular || kind.toLowerCase()),
    kind,
    listKind: String(n.listKind || `${kind}List`),
    shortNames: Array.isArray(n.shortNames) ? n.shortNames.map(String) : [],
    categories: Array.isArray(n.categories) ? n.categories.map(String) : [],
  };
}

const byKey = new Map<string, CustomVersion>();
const keyOf = (t: Pick<ResourceType, 'group' | 'version' | 'plural'>) => `${t.group}/${t.version}/${t.plural}`;

/** The served version behind a custom resource type; undefined for built-in kinds. */
export function customVersionOf(type: ResourceType): CustomVersion | undefined {
  return type.crd ? byKey.get(keyOf(type)) : undefined;
}

/** Every served version of every established CRD. */
export function customVersions(): CustomVersion[] {
  return [...byKey.values()];
}

/**
 * Kubernetes' version priority (discovery lists the preferred version first):
 * GA before beta before alpha, a higher number first within each; other names last.
 */
export function versionPriority(name: string): number {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(name);
  if (!m) return 0;
  const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return stage * 1e8 + Number(m[1]) * 1e4 + Number(m[3] ?? 0);
}

/** The resource types and versions a valid CRD serves under `names` (its accepted names). */
export function versionsOf(crd: KubeObject, names: CrdNames): CustomVersion[] {
  const name = crd.metadata.name!;
  const spec = crd.spec;
  const storage = (spec.versions as any[]).find((v) => v.storage)?.name as string;
  return (spec.versions as any[])
    .filter((v) => v.served)
    .sort((a, b) => versionPriority(b.name) - versionPriority(a.name))
    .map((v) => {
      const subresources: ResourceType['subresources'] = [];
      if (v.subresources?.status) subresources.push('status');
      if (v.subresources?.scale) subresources.push('scale');
      const type: ResourceType = {
        group: spec.group,
        version: v.name,
        kind: names.kind,
        listKind: names.listKind,
        plural: names.plural,
        singular: names.singular,
        shortNames: names.shortNames,
        namespaced: spec.scope === 'Namespaced',
        subresources,
        categories: names.categories,
        hasGeneration: true,
        crd: name,
      };
      const selectableFields = (v.selectableFields ?? []).map((f: any) => String(f.jsonPath).replace(/^\./, ''));
      return { crd: name, type, storageVersion: storage, schema: v.schema?.openAPIV3Schema ?? {}, columns: v.additionalPrinterColumns ?? [], scale: v.subresources?.scale, selectableFields };
    });
}

/** Records what `crd` serves now (nothing: it is gone), replacing what it served before. */
export function recordVersions(crd: string, versions: CustomVersion[]): void {
  for (const [key, v] of byKey) if (v.crd === crd) byKey.delete(key);
  for (const v of versions) byKey.set(keyOf(v.type), v);
}
