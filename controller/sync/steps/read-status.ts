import { conclude, type Step } from '../sync-context.js';

/** The app's recorded status; an app baton does not know (no longer declared) is not synced. */
export const readStatus: Step = async (ctx, { state }) => {
  const status = await state.getApp(ctx.name);
  if (!status) return conclude({ result: 'Skipped', revision: ctx.request.revision, message: `app ${ctx.name} is not known (no longer declared?)` });
  ctx.status = status;
  return undefined;
};
