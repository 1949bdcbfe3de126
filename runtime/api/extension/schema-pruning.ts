import { additionalSchema, childPath, isObjectValue, type JsonSchema } from './json-schema.js';

/** Fields every object at the root or under x-kubernetes-embedded-resource keeps, whatever its schema says. */
const TYPE_META = new Set(['apiVersion', 'kind', 'metadata']);

function prune(value: unknown, schema: JsonSchema | undefined, path: string, keepTypeMeta: boolean, pruned: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => prune(item, schema?.items, `${path}[${i}]`, schema?.items?.['x-kubernetes-embedded-resource'] === true, pruned));
    return;
  }
  if (!isObjectValue(value)) return;
  const preserve = schema?.['x-kubernetes-preserve-unknown-fields'] === true;
  const extra = schema ? additionalSchema(schema) : undefined;
  for (const key of Object.keys(value)) {
    if (keepTypeMeta && TYPE_META.has(key)) continue;
    const child = schema?.properties?.[key] ?? extra;
    const at = schema?.properties?.[key] ? childPath(path, key) : extra ? `${path}[${key}]` : childPath(path, key);
    if (child) prune(value[key], child, at, child['x-kubernetes-embedded-resource'] === true, pruned);
    else if (!preserve && schema?.additionalProperties !== true) {
      delete value[key];
      pruned.push(at);
    }
  }
}

/**
 * Drops, in place, the fields a structural schema does not specify (unless
 * `x-kubernetes-preserve-unknown-fields` keeps them), as Kubernetes prunes a
 * custom resource before storing it; apiVersion, kind and metadata stay at the
 * root and in embedded resources. Returns the dropped fields' paths.
 */
export function pruneUnknownFields(object: Record<string, unknown>, schema: JsonSchema): string[] {
  const pruned: string[] = [];
  prune(object, schema, '', true, pruned);
  return pruned;
}
