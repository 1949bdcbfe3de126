/** Chart values: a plain tree of maps, lists and scalars. */
export type Values = Record<string, unknown>;

/** Keys refused in values and in --set, so no lookup can reach an object prototype. */
export const forbiddenKeys = ['__proto__', 'constructor', 'prototype'] as const;

export function isPlainMap(v: unknown): v is Values {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}
