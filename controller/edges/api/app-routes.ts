import { Router } from 'express';
import { shortRevision } from '../../../runtime/kube/revision.js';
import { appOrigin, type AppStatus } from '../../state/app-status.js';
import { ApiError, conflict, forbidden, notFound, notImplemented } from './api-error.js';
import type { ControllerApiDeps } from './api-deps.js';
import { apiRoute } from './api-route.js';
import { appDetail, appSummary } from './app-summary.js';
import { historyQuery, logsQuery, parseInput, rollbackBody, syncBody } from './request-schemas.js';
import { pickRollbackRevision } from './rollback-revision.js';

const short = (revision: string) => shortRevision(revision);

/** The `/apps` routes, mounted below /api/v1 (auth is checked before them). */
export function appRoutes(deps: ControllerApiDeps): Router {
  const router = Router();
  const { state, queue } = deps;

  async function appOr404(req: { params: { name: string } }): Promise<AppStatus> {
    const name = String(req.params.name);
    const status = await state.getApp(name);
    if (!status) throw notFound(`no app named "${name}"; \`baton apps\` lists the apps baton knows`);
    return status;
  }

  apiRoute(router, 'GET /apps', async (_req, res) => {
    // Previews' apps (`pr-N.<app>`) are listed by GET /previews; each is still served at /apps/:name.
    res.json((await state.listApps()).filter((a) => appOrigin(a).kind !== 'preview').map(appSummary));
  });

  apiRoute(router, 'GET /apps/:name', async (req, res) => {
    const status = await appOr404(req);
    res.json(appDetail(status, await queue.pendingState(status.name)));
  });

  apiRoute(router, 'GET /apps/:name/history', async (req, res) => {
    const { limit } = parseInput(historyQuery, req.query, 'query');
    const status = await appOr404(req);
    res.json(await state.getHistory(status.name, limit));
  });

  apiRoute(router, 'GET /apps/:name/diff', async (req, res) => {
    const status = await appOr404(req);
    if (!deps.diff) throw notImplemented('diffs are not served by this controller yet (no diff provider was given to the API)');
    // The provider's errors are about the app (not read yet, does not render, cluster unreachable): say so, not "internal error".
    const { revision, diff } = await deps.diff(status).catch((err: Error) => {
      throw err instanceof ApiError ? err : new ApiError(409, 'DiffFailed', `cannot diff ${status.name}: ${err.message}`);
    });
    res.json({ app: status.name, revision, inSync: diff.inSync, counts: diff.counts, objects: diff.objects });
  });

  apiRoute(router, 'GET /apps/:name/logs', async (req, res) => {
    const { tail, container } = parseInput(logsQuery, req.query, 'query');
    const status = await appOr404(req);
    if (deps.readersSeeLogs === false && res.locals.role !== 'deploy') {
      throw forbidden('pod logs are not served to the read-only token on this controller (started with --readers-see-logs=false); use the deploy token (<state-dir>/api-token)');
    }
    if (!deps.podLogs) throw notImplemented('pod logs are not available from this controller yet; use `kubectl logs` with <state-dir>/kubeconfig');
    const text = await deps.podLogs(status, { tail: tail ?? 100, ...(container ? { container } : {}) });
    // Censored by the API's answer filter, like every field: a pod that prints a token hands it to no reader.
    res.type('text/plain').send(text);
  });

  // A manual sync follows the branch again: it clears a rollback's pin, as an Argo CD sync goes to the target revision.
  apiRoute(router, 'POST /apps/:name/sync', async (req, res) => {
    const body = parseInput(syncBody, req.body, 'body');
    const status = await appOr404(req);
    const revision = status.observedRevision ?? status.revision;
    if (!revision) throw conflict(`app "${status.name}" has no revision yet: its repository has not been read`);
    const unpinned = status.pinnedRevision !== undefined;
    if (unpinned) await state.updateApp(status.name, { pinnedRevision: undefined });
    const requestedAt = new Date().toISOString();
    const job = await queue.enqueue({
      app: status.name,
      revision,
      trigger: 'manual',
      message: `${body.prune ? 'manual sync with prune forced' : 'manual sync'}${unpinned ? ` (unpinned from ${short(status.pinnedRevision!)})` : ''}`,
      ...(body.prune ? { prune: true } : {}),
    });
    res.status(202).json({ app: status.name, revision, jobId: job.jobId, seq: job.seq, requestedAt, unpinned });
  });

  apiRoute(router, 'POST /apps/:name/rollback', async (req, res) => {
    const body = parseInput(rollbackBody, req.body, 'body');
    const status = await appOr404(req);
    const healthy = await state.listHealthyRevisions(status.name);
    const revision = pickRollbackRevision(status, healthy, body.revision);
    await state.updateApp(status.name, { pinnedRevision: revision });
    const requestedAt = new Date().toISOString();
    const job = await queue.enqueue({ app: status.name, revision, trigger: 'rollback', message: `rollback to ${short(revision)}` });
    res.status(202).json({ app: status.name, revision, pinned: true, jobId: job.jobId, seq: job.seq, requestedAt });
  });

  return router;
}
