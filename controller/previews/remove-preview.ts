import { previewNamespace } from '../apps/preview-names.js';
import type { PreviewDeps } from './preview-deps.js';
import { deletePreviewNamespace } from './preview-namespaces.js';

/** Removes the preview of request `number`: its record, its apps' state, its namespace (and so its pods). True when it was open. */
export async function removePreview(deps: Pick<PreviewDeps, 'store' | 'state' | 'clusters' | 'log'>, number: number, why: string): Promise<boolean> {
  const record = await deps.store.get(number);
  // The record goes first: a sync of the preview that starts now finds it closed.
  const existed = await deps.store.delete(number);
  const clusters = new Set<string>();
  for (const name of record?.apps ?? []) {
    const status = await deps.state.getApp(name);
    if (status) clusters.add(status.cluster);
    await deps.state.deleteApp(name);
  }
  if (clusters.size === 0) clusters.add('local');
  for (const cluster of clusters) await deletePreviewNamespace(deps, cluster, number);
  if (existed) deps.log(`#${number}: preview removed (${why}); namespace ${previewNamespace(number)} is being deleted`);
  return existed;
}
