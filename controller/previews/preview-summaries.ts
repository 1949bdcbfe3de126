import type { PreviewSummary } from '../edges/api/contract.js';
import type { AppStatus } from '../state/app-status.js';
import type { StateStore } from '../state/state-store.js';
import { ingressHosts } from './preview-objects.js';
import type { PreviewRecord } from './preview-record.js';
import { parsePreviewAppName, previewNamespace } from './preview-names.js';

/**
 * Where a preview app answers: the first host of its last healthy manifests'
 * Ingresses on the ingress port (`http://pr-7.catalog.localhost:7080/`), or
 * null when it has no Ingress (or never became healthy).
 */
export async function previewUrl(
  state: Pick<StateStore, 'getApp' | 'getHealthyManifests'>,
  name: string,
  ingressUrl: string | undefined,
  /** The app's status when the caller has read it already. */
  known?: AppStatus,
): Promise<string | null> {
  if (!ingressUrl) return null;
  const status = known ?? (await state.getApp(name));
  const kept = status?.revision ? await state.getHealthyManifests(name, status.revision) : undefined;
  const host = kept?.objects.filter((o) => o.kind === 'Ingress').flatMap(ingressHosts)[0];
  if (!host) return null;
  const port = new URL(ingressUrl).port;
  return `http://${host}${port ? `:${port}` : ''}/`;
}

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
      out.push({
        name,
        app: parsePreviewAppName(name)?.app ?? name,
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
