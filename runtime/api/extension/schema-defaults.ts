import { additionalSchema, isObjectValue, type JsonSchema } from './json-schema.js';

function applyDefaults(value: unknown, schema: JsonSchema | undefined, root: boolean): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    for (const item of value) applyDefaults(item, schema.items, false);
    return;
  }
  if (!isObjectValue(value)) return;
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (root && key === 'metadata') continue;
    // A null in a field that is not nullable is dropped, then defaulted (Kubernetes' PruneNonNullableNullsWithoutDefaults).
    if (value[key] === null && !child.nullable) delete value[key];
    if (value[key] === undefined && child.default !== undefined) value[key] = structuredClone(child.default);
  }
  const extra = additionalSchema(schema);
  for (const [key, v] of Object.entries(value)) {
    if (root && key === 'metadata') continue;
    applyDefaults(v, schema.properties?.[key] ?? extra, false);
  }
}

/**
 * Fills, in place, every absent field whose schema has a `default` (copied),
 * from the root down, so a defaulted object gets its own children's defaults,
 * as Kubernetes' structural defaulting does.
 */
export function applySchemaDefaults(object: Record<string, unknown>, schema: JsonSchema): void {
  applyDefaults(object, schema, true);
}
