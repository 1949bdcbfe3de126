import { shortRevision } from '../../../runtime/kube/revision.js';
import { splitHooks } from '../../apply/sync-waves.js';
import { withNamespace } from '../../clusters/live-objects.js';
import { conclude, type Step } from '../sync-context.js';

/**
 * The desired objects: a pinned revision's kept healthy manifests (no Git, no
 * render), else a render (its hooks set apart), all or nothing: a render error applies nothing
 * (invariant 1) and is not retried until the inputs change.
 */
export const render: Step = async (ctx, { state, renderer, log }) => {
  const { name, revision, app } = ctx;
  if (ctx.status.pinnedRevision !== undefined) {
    const kept = await state.getHealthyManifests(name, revision);
    if (kept?.revision === revision) {
      ctx.objects = withNamespace(kept.objects, app.namespace);
      ctx.hooks = [];
      ctx.digest = kept.digest;
      return undefined;
    }
  }
  const rendered = await renderer.render(app, ctx.repository, revision);
  if (!rendered.ok) {
    const message = `${shortRevision(revision)} does not render; nothing was applied:\n${rendered.errors.join('\n')}`;
    log(message, { app: name, revision });
    return conclude(
      { result: 'Failed', revision: ctx.status.revision ?? revision, message },
      {
        status: { syncStatus: 'OutOfSync', health: 'Degraded', message, observedRevision: revision, lastFailedRevision: revision },
        history: { result: 'Failed', message },
      },
    );
  }
  const { objects, hooks } = splitHooks(withNamespace(rendered.objects, app.namespace));
  ctx.objects = objects;
  ctx.hooks = hooks;
  ctx.digest = rendered.digest;
  ctx.sources = rendered.sources;
  ctx.dropped = rendered.dropped;
  return undefined;
};
