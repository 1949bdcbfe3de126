import { defaultLimits, formatBytes } from '../limits.js';

/** A helper's value would serialize past the output limit: refused before any text is built. */
export class SerializedTooLarge extends Error {}

/**
 * True when `JSON.stringify(value)` would be longer than `max` characters,
 * counted without building it and stopping as soon as it is: values may hold
 * the same list many times over (`list` of `list`s, block params), so a few
 * lines of template can name gigabytes of JSON. A lower bound (escapes not
 * counted), so no value under `max` is refused.
 */
export function jsonLongerThan(value: unknown, max: number): boolean {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') total += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') total += String(v).length;
    else if (v === null || v === undefined) total += 4;
    else if (Array.isArray(v)) {
      total += 1 + v.length;
      if (total > max) return true;
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined || typeof x === 'function') continue;
        total += k.length + 4;
        if (total > max) return true;
        stack.push(x);
      }
      total += 2;
    }
    if (total > max) return true;
  }
  return false;
}

/** Longest JSON a helper builds from a value; past it the value is refused before it is serialized. */
export const maxSerialized = defaultLimits.maxOutputBytes;

/** JSON.stringify for helpers (toJson, and maps or lists as text), refused when the text would pass maxSerialized. */
export function boundedJson(v: unknown): string {
  if (typeof v === 'object' && v !== null && jsonLongerThan(v, maxSerialized)) {
    throw new SerializedTooLarge(`the value would make more than ${formatBytes(maxSerialized)} of JSON`);
  }
  return JSON.stringify(v);
}
