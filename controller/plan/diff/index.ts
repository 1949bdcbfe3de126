export { diffObjects, type AppDiff, type ObjectDiff, type ObjectDiffAction, type DiffOptions } from './diff-objects.js';
export type { FieldChange } from './compare-fields.js';
export { formatDiff, formatChange } from './format-diff.js';
