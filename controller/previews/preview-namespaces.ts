import { previewNamespace } from '../apps/preview-names.js';
import { isNotFoundError } from '../clusters/classify-api-error.js';
import { PREVIEW_LABEL } from '../plan/preview-transform.js';
import type { PreviewDeps } from './preview-deps.js';

/** Deletes `pr-N` when it is a preview's (labelled with N): a namespace someone else named so is not a request's to remove. */
export async function deletePreviewNamespace(deps: Pick<PreviewDeps, 'clusters' | 'log'>, cluster: string, number: number): Promise<void> {
  const target = deps.clusters.get(cluster);
  const name = previewNamespace(number);
  try {
    const namespace = await target.core.readNamespace({ name });
    if (namespace.metadata?.labels?.[PREVIEW_LABEL] !== String(number)) {
      deps.log(`#${number}: namespace ${name} is not a preview's (it has no ${PREVIEW_LABEL}: "${number}" label); left alone`);
      return;
    }
    await target.core.deleteNamespace({ name, body: { preconditions: { uid: namespace.metadata.uid } } });
  } catch (err) {
    if (!isNotFoundError(err)) throw err;
  }
}

/** The request numbers of the preview namespaces on `cluster` (labelled with their number, not being deleted). */
export async function listPreviewNamespaces(deps: Pick<PreviewDeps, 'clusters'>, cluster: string): Promise<number[]> {
  const target = deps.clusters.get(cluster);
  const list = await target.core.listNamespace({ labelSelector: PREVIEW_LABEL });
  return list.items
    .filter((ns) => !ns.metadata?.deletionTimestamp && ns.metadata?.name === previewNamespace(Number(ns.metadata?.labels?.[PREVIEW_LABEL])))
    .map((ns) => Number(ns.metadata!.labels![PREVIEW_LABEL]));
}
