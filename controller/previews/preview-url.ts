import type { AppStatus } from '../state/app-status.js';
import type { StateStore } from '../state/state-store.js';
import { ingressHosts } from '../plan/preview-transform.js';

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
