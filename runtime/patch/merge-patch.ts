import { cloneJson, isObject, type JsonObject } from './json-value.js';

/**
 * JSON Merge Patch (RFC 7386): objects merge key by key, `null` deletes a key,
 * anything else (arrays included) replaces. Inputs are never mutated.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return cloneJson(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  // Keys the patch did not touch still share structure with target; copy them so callers may mutate freely.
  for (const key of Object.keys(result)) {
    if (!(key in patch)) result[key] = cloneJson(result[key]);
  }
  return result;
}
