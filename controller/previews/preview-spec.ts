import type { AppSpec } from '../apps/app-spec.js';
import { mergeValues } from '../../renderer/index.js';
import { previewAppName, previewHost, previewNamespace } from '../apps/preview-names.js';

export interface PreviewOf {
  number: number;
  branch: string;
  /** The head commit being previewed. */
  sha: string;
}

/**
 * The spec of `app`'s preview for one request: named `pr-N.<app>`, in
 * namespace `pr-N`, rendered under the app's own name (so its Services keep
 * their names and `<NAME>_SERVICE_HOST` works) with `preview.values` layered
 * over its inline values; templates see `Preview.{Number, Branch, Sha, Host}`.
 * Dependencies on apps that are previewed too point at their previews;
 * the others stay on production (baton bridges their Services into the
 * preview's namespace). A preview always syncs on its own, prunes and heals:
 * it is disposable.
 */
export function previewAppSpec(app: AppSpec, of: PreviewOf, previewed: ReadonlySet<string>): AppSpec {
  const host = previewHost(of.number, `${app.name}.localhost`);
  const instance = { app: app.name, number: of.number, branch: of.branch, sha: of.sha, host };
  return {
    ...app,
    name: previewAppName(of.number, app.name),
    namespace: previewNamespace(of.number),
    revision: undefined,
    set: mergeValues(app.set, app.preview.values),
    // A preview always follows its request, prunes and heals; its prune guard is the app's own.
    syncPolicy: { ...app.syncPolicy, automated: true, prune: true, selfHeal: true },
    dependsOn: app.dependsOn.map((dep) => (previewed.has(dep) ? previewAppName(of.number, dep) : dep)),
    instance,
  };
}
