import { previewNamespace } from '../apps/preview-names.js';
import type { PreviewDeps } from './preview-deps.js';
import { deletePreviewNamespace, listPreviewNamespaces } from './preview-namespaces.js';
import { removePreview } from './remove-preview.js';

export interface SweepLimits {
  /** A preview with no event for this long is removed. */
  ttlMs: number;
  /** Most previews at once. */
  maxPreviews: number;
}

/**
 * Removes previews idle longer than the TTL, previews over the cap (the
 * longest idle first) and preview namespaces no open request owns (left
 * by a crash between a close and its cleanup). Returns the numbers removed.
 */
export async function sweepPreviews(deps: PreviewDeps, limits: SweepLimits, now: number): Promise<number[]> {
  const removed: number[] = [];
  const open = await deps.store.list();
  for (const record of open) {
    if (now - Date.parse(record.updatedAt) > limits.ttlMs) {
      await removePreview(deps, record.number, `idle since ${record.updatedAt}`);
      removed.push(record.number);
    }
  }
  const left = open.filter((r) => !removed.includes(r.number));
  for (const record of left.slice(0, Math.max(0, left.length - limits.maxPreviews))) {
    await removePreview(deps, record.number, `more than ${limits.maxPreviews} previews are open`);
    removed.push(record.number);
  }
  const owned = new Set(left.map((r) => r.number));
  for (const number of await listPreviewNamespaces(deps, 'local')) {
    if (owned.has(number) || removed.includes(number)) continue;
    deps.log(`#${number}: namespace ${previewNamespace(number)} has no open request; deleting it`);
    await deletePreviewNamespace(deps, 'local', number);
    removed.push(number);
  }
  return removed;
}
