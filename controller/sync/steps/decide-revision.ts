import { shortRevision } from '../../../runtime/kube/revision.js';
import type { SyncTrigger } from '../../queue/sync-job.js';
import { desiredRevision } from '../../state/desired-revision.js';
import { appOrigin, type AppOrigin } from '../../state/app-status.js';
import type { SyncPorts } from '../ports/sync-ports.js';
import { conclude, type Step, type StepResult, type SyncContext } from '../sync-context.js';

/**
 * Which commit to sync (see desiredRevision), never trusting the job's own
 * revision beyond a rollback's. A revision that failed before is skipped
 * until a new commit, unless a person asks again or it is retried while live.
 */
export const decideRevision: Step = async (ctx, ports) => {
  const origin = appOrigin(ctx.status);
  ctx.origin = origin;
  return origin.kind === 'preview' ? previewRevision(ctx, ports, origin) : branchRevision(ctx, ports);
};

async function branchRevision(ctx: SyncContext, { source }: SyncPorts): Promise<StepResult> {
  const { name, request, status } = ctx;
  const repo = await source.repositoryOf(name);
  if (!repo) return conclude({ result: 'Skipped', revision: request.revision, message: `app ${name} belongs to no followed repository` });
  const wanted = desiredRevision({ pinnedRevision: status.pinnedRevision, branchHead: repo.revision, request })!;
  ctx.repository = repo.spec;
  ctx.revision = await source.resolveRef(repo.spec, wanted);
  if (repo.revision) ctx.branchHead = repo.revision;
  return failedBefore(ctx, ['manual', 'rollback'], 'waiting for a new commit');
}

/**
 * A preview syncs its request's head: the ref the request is fetched from
 * (`refs/pull/N/head`) brings the commit into the mirror first. A request
 * closed meanwhile, or no longer previewing this app, is not synced.
 */
async function previewRevision(ctx: SyncContext, { source }: SyncPorts, origin: Extract<AppOrigin, { kind: 'preview' }>): Promise<StepResult> {
  const { name, request, status } = ctx;
  const record = await source.preview(origin.number);
  const closed = conclude({ result: 'Skipped', revision: status.revision ?? request.revision, message: `pull request #${origin.number} has no open preview of ${origin.app}` });
  if (!record?.apps.includes(name)) return closed;
  const repo = await source.repository(record.repository);
  if (!repo) return closed;
  const head = await source.resolveRef(repo.spec, record.headFetchRef).catch(() => undefined);
  const wanted = desiredRevision({ preview: record })!;
  ctx.repository = repo.spec;
  ctx.preview = record;
  if (repo.revision) ctx.followedRevision = repo.revision;
  ctx.revision = await source.resolveRef(repo.spec, wanted).catch((err: unknown) => {
    // A label-approved head is the only one that may deploy, even when it cannot be found.
    if (head && !record.approval) return head;
    throw err;
  });
  return failedBefore(ctx, ['manual'], 'waiting for a new push to the request');
}

/**
 * A revision that failed is synced again only when a person asks (`retriedBy`)
 * or, while it is still the live one (nothing was rolled back), on a `retry`.
 */
function failedBefore(ctx: SyncContext, retriedBy: readonly SyncTrigger[], waiting: string): StepResult {
  const { revision, status, request } = ctx;
  if (revision !== status.lastFailedRevision || retriedBy.includes(request.trigger)) return undefined;
  if (request.trigger === 'retry' && status.revision === revision) return undefined;
  return conclude({ result: 'Skipped', revision: ctx.status.revision ?? ctx.revision, message: `${shortRevision(ctx.revision)} failed before; ${waiting}` });
}
