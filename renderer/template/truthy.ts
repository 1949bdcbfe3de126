/**
 * Helm's notion of "empty", used by default, and, or, not and empty:
 * undefined, null, false, 0, "", [] and {} are empty.
 */
export function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}
