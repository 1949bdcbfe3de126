import type { DroppedObject } from './preview-transform.js';

/** Dropped objects a message names one a line; the rest are counted. */
export const DROPPED_SHOWN = 10;

/**
 * What a preview left out of `pr-N`, for its sync message: a first line that
 * counts them (the one `baton apps` shows), then one line per object naming
 * its kind, name and why; past `shown`, "and N more". '' when nothing was left out.
 */
export function droppedMessage(dropped: readonly DroppedObject[], shown = DROPPED_SHOWN): string {
  if (dropped.length === 0) return '';
  const lines = [`${dropped.length} ${dropped.length === 1 ? 'object' : 'objects'} left out of the preview:`];
  for (const d of dropped.slice(0, shown)) lines.push(`${d.kind} ${d.name}: ${d.reason}`);
  if (dropped.length > shown) lines.push(`and ${dropped.length - shown} more`);
  return lines.join('\n');
}
