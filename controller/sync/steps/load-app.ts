import { shortRevision } from '../../../runtime/kube/revision.js';
import { previewAppSpec } from '../../previews/preview-spec.js';
import { conclude, type Step } from '../sync-context.js';

/**
 * The app's spec from `baton.yaml` at the revision (a preview's is built from
 * the app's entry). Any error in the file stops the sync without a retry:
 * the next commit is the fix.
 */
export const loadApp: Step = async (ctx, { source }) => {
  const { name, revision, status, origin } = ctx;
  const at = shortRevision(revision);
  const config = await source.appConfig(ctx.repository, revision);
  if (!config.ok) {
    const message = `baton.yaml at ${at} has errors:\n${config.errors.join('\n')}`;
    return conclude({ result: 'Failed', revision: status.revision ?? revision, message }, { status: { syncStatus: 'Unknown', message, observedRevision: revision } });
  }
  if (origin.kind === 'preview') {
    const app = config.apps.find((a) => a.name === origin.app && a.preview.enabled);
    if (!app || !ctx.preview) return conclude({ result: 'Skipped', revision: status.revision ?? revision, message: `${origin.app} has no preview at ${at}` });
    const previewed = new Set(config.apps.filter((a) => a.preview.enabled).map((a) => a.name));
    // The request wrote the head's entry; its cluster and production dependencies are the followed branch's.
    const followed = ctx.followedRevision ? await source.appConfig(ctx.repository, ctx.followedRevision) : undefined;
    const declared = followed?.ok ? followed.apps.find((a) => a.name === origin.app) : undefined;
    ctx.app = previewAppSpec(app, { number: ctx.preview.number, branch: ctx.preview.branch, sha: revision }, previewed, declared);
    return undefined;
  }
  const app = config.apps.find((a) => a.name === name);
  if (!app) return conclude({ result: 'Skipped', revision: status.revision ?? revision, message: `${name} is not declared at ${at}` });
  ctx.app = app;
  return undefined;
};
