import type { AppSpec } from '../apps/app-spec.js';
import { mergeValues } from '../../renderer/index.js';
import { LOCAL_CLUSTER } from '../clusters/cluster-target.js';
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
 *
 * `app` is the entry at the request's head, which the request wrote; what it
 * may reach beyond `pr-N` is not its to say: the cluster and the production
 * dependencies are those of `declared`, the app's entry on the followed branch
 * (as `previews:` is read there). An app the branch does not declare previews
 * on `local`, with only the apps previewed with it.
 */
export function previewAppSpec(app: AppSpec, of: PreviewOf, previewed: ReadonlySet<string>, declared: AppSpec | undefined): AppSpec {
  const host = previewHost(of.number, `${app.name}.localhost`);
  const instance = { app: app.name, number: of.number, branch: of.branch, sha: of.sha, host };
  const production = new Set(declared?.dependsOn ?? []);
  return {
    ...app,
    name: previewAppName(of.number, app.name),
    namespace: previewNamespace(of.number),
    cluster: declared?.cluster ?? LOCAL_CLUSTER,
    revision: undefined,
    set: mergeValues(app.set, app.preview.values),
    // A preview always follows its request, prunes and heals; its prune guard is the app's own.
    syncPolicy: { ...app.syncPolicy, automated: true, prune: true, selfHeal: true },
    dependsOn: app.dependsOn.flatMap((dep) => (previewed.has(dep) ? [previewAppName(of.number, dep)] : production.has(dep) ? [dep] : [])),
    instance,
  };
}
