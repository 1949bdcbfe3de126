import { shortRevision } from '../../../runtime/kube/revision.js';
import type { PreflightRefusal } from '../../apply/preflight.js';
import { describeObject } from '../../clusters/object-ref.js';
import { sourceKey, type ObjectSources } from '../ports/renderer-port.js';
import { conclude, type Step } from '../sync-context.js';

/** How many refusals the message lists. */
const LISTED = 10;

/**
 * Asks the cluster's preflight (reads and dry-runs only) without waiting for
 * its answer, so it overlaps the prune guard's lists: the two are independent,
 * and waiting for one before asking the other only added their round trips.
 * The preflight step judges the answer; a sync the guard ends never does, and
 * its answer (or error) is dropped.
 */
export const askPreflight: Step = async (ctx) => {
  const { app } = ctx;
  const answer = ctx.cluster.preflight({ app, objects: ctx.objects, hooks: ctx.hooks.map((h) => h.object), signal: ctx.signal });
  answer.catch(() => undefined);
  ctx.preflightAnswer = answer;
  return undefined;
};

/**
 * Before the first write, asks the cluster (reading and dry-running only)
 * whether every object would be accepted: a kind it does not serve, an
 * invalid field or an admission refusal, an object another app owns, or a
 * cluster resource the app may not touch fails the revision with nothing
 * applied (invariant 1: all or nothing), naming each object, the file and
 * line it was rendered from, and what was wrong. Live objects are untouched,
 * so there is nothing to roll back; the revision is recorded as failed, so
 * automated triggers do not try it again.
 */
export const preflight: Step = async (ctx, { log }) => {
  const { name, app, revision } = ctx;
  const refusals = await (ctx.preflightAnswer ?? ctx.cluster.preflight({ app, objects: ctx.objects, hooks: ctx.hooks.map((h) => h.object), signal: ctx.signal }));
  if (refusals.length === 0) return undefined;
  const lines = refusals.slice(0, LISTED).map((r) => describeRefusal(r, ctx.sources));
  if (refusals.length > LISTED) lines.push(`and ${refusals.length - LISTED} more`);
  const message = `${shortRevision(revision)} refused before anything was written; nothing was applied:\n${lines.join('\n')}`;
  log(message, { app: name, revision });
  return conclude(
    { result: 'Failed', revision: ctx.status.revision ?? revision, message },
    {
      status: { syncStatus: 'OutOfSync', health: 'Degraded', message, observedRevision: revision, lastFailedRevision: revision },
      history: { result: 'Failed', message },
    },
  );
};

/** `ConfigMap shop/x is owned by app y (apps/x/config.yaml:3)`. */
export function describeRefusal(refusal: PreflightRefusal, sources: ObjectSources | undefined): string {
  const { object } = refusal;
  const at = sources?.[sourceKey({ apiVersion: object.apiVersion ?? '', kind: object.kind, metadata: { namespace: object.namespace, name: object.name } })];
  return `${describeObject(object)} ${refusal.problem}${at ? ` (${at.file}:${at.line})` : ''}`;
}
