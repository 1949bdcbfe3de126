import type { KubeObject } from '../../kube/object.js';

const SCHEMA_REF = '#/components/schemas/';

function resolve(schemas: Record<string, any>, schema: any): any {
  let s = schema;
  for (let i = 0; i < 10 && s; i++) {
    if (typeof s.$ref === 'string') s = schemas[s.$ref.slice(SCHEMA_REF.length)];
    else if (Array.isArray(s.allOf) && s.allOf.length === 1) s = s.allOf[0];
    else break;
  }
  return s;
}

function walk(schemas: Record<string, any>, schema: any, value: unknown, path: string, out: string[], prune: boolean): void {
  const s = resolve(schemas, schema);
  if (!s || value === null || value === undefined || s['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (s.items) value.forEach((v, i) => holdsFields(v) && walk(schemas, s.items, v, `${path}[${i}]`, out, prune));
    return;
  }
  if (typeof value !== 'object') return;
  if (s.properties) {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const child = s.properties[key];
      if (child) {
        if (holdsFields(v)) walk(schemas, child, v, path ? `${path}.${key}` : key, out, prune);
      } else if (!s.additionalProperties) {
        out.push(path ? `${path}.${key}` : key);
        if (prune) delete (value as Record<string, unknown>)[key];
      }
    }
  } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) if (holdsFields(v)) walk(schemas, s.additionalProperties, v, `${path}.${key}`, out, prune);
  }
}

/** Only an object or a list can hold an unknown field: a scalar's walk would find none, so it builds no path. */
function holdsFields(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

const indexes = new WeakMap<Record<string, any>, Map<string, string>>();

/** Schema name by `apiVersion/kind`, built once per schema set. */
function schemaIndex(schemas: Record<string, any>): Map<string, string> {
  let index = indexes.get(schemas);
  if (!index) {
    index = new Map();
    for (const [name, schema] of Object.entries(schemas)) {
      for (const g of schema['x-kubernetes-group-version-kind'] ?? []) index.set(`${g.group ? `${g.group}/${g.version}` : g.version}/${g.kind}`, name);
    }
    indexes.set(schemas, index);
  }
  return index;
}

/** Removes from `obj` the fields the published schema does not know, as Kubernetes' decoder drops them; returns their paths. */
export function pruneUnknownFields(schemas: Record<string, any>, obj: KubeObject): string[] {
  return visitUnknown(schemas, obj, true);
}

function visitUnknown(schemas: Record<string, any>, obj: KubeObject, prune: boolean): string[] {
  const name = schemaIndex(schemas).get(`${obj.apiVersion}/${obj.kind}`);
  if (!name) return [];
  const out: string[] = [];
  walk(schemas, { $ref: `${SCHEMA_REF}${name}` }, obj, '', out, prune);
  return out;
}
