import type { PreviewSummary } from './contract.js';
import type { StateStore } from '../../state/state-store.js';
import type { PreviewRecord } from '../../previews/preview-record.js';
import { previewUrl } from '../../previews/preview-url.js';
import { previewNamespace } from '../../apps/preview-names.js';
import { appOrigin } from '../../state/app-status.js';

/** `GET /api/v1/previews`: one entry per app of each open preview. */
export async function previewSummaries(
  records: readonly PreviewRecord[],
  state: Pick<StateStore, 'getApp' | 'getHealthyManifests'>,
  ingressUrl: string | undefined,
): Promise<PreviewSummary[]> {
  const out: PreviewSummary[] = [];
  for (const record of records) {
    for (const name of record.apps) {
      const status = await state.getApp(name);
      const origin = status && appOrigin(status);
      out.push({
        name,
        // Until the preview controller has registered it (a moment after the record), the app is shown by its tracked name.
        app: origin?.kind === 'preview' ? origin.app : name,
        number: record.number,
        namespace: previewNamespace(record.number),
        revision: status?.revision ?? null,
        url: status ? await previewUrl(state, name, ingressUrl, status) : null,
        syncStatus: status?.syncStatus ?? 'Unknown',
        health: status?.health ?? 'Unknown',
        message: status?.message ?? '',
        repository: record.repository,
        title: record.title,
        author: record.author,
        branch: record.branch,
        headSha: record.headSha,
        requestUrl: record.requestUrl,
        fromFork: record.fromFork,
        openedAt: record.openedAt,
        updatedAt: record.updatedAt,
      });
    }
  }
  return out;
}
