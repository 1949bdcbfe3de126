import type { KubernetesObject } from '@kubernetes/client-node';
import type { AppSpec } from '../apps/app-spec.js';
import { PatchStrategy } from '../clusters/kube-client.js';
import { previewNamespaceObject } from '../plan/preview-transform.js';
import { applyPreviewBridges } from './preview-bridges.js';
import type { PreviewDeps } from './preview-deps.js';

/** The namespace (marked as the preview's) and the bridges to production, on each cluster of the preview, before any pod of it starts. */
export async function preparePreviewNamespace(deps: Pick<PreviewDeps, 'clusters' | 'state' | 'log'>, number: number, specs: readonly AppSpec[]): Promise<void> {
  for (const cluster of new Set(specs.map((s) => s.cluster))) {
    const target = deps.clusters.get(cluster);
    await target.objects.patch(previewNamespaceObject(number) as KubernetesObject, undefined, undefined, 'baton-previews', true, PatchStrategy.ServerSideApply);
    const bridged = await applyPreviewBridges({ target, number, previews: specs.filter((s) => s.cluster === cluster), state: deps.state });
    if (bridged.length > 0) deps.log(`#${number}: bridged to production: ${bridged.join('; ')}`);
  }
}
