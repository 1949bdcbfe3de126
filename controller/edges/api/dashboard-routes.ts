import { Router } from 'express';
import type { AppStatus } from '../../state/app-status.js';
import { ApiError, badRequest, notFound, notImplemented } from './api-error.js';
import type { ControllerApiDeps } from './api-deps.js';
import { apiRoute } from './api-route.js';

/**
 * Routes the dashboard needs beyond the CLI's, mounted below /api/v1 after
 * bearer auth: `GET /whoami` (the caller's role, so read-only tokens get no
 * buttons), `GET /apps/:name/resources` (the live object tree) and
 * `GET /commits/:sha` (a revision's message and author).
 */
export function dashboardRoutes(deps: Pick<ControllerApiDeps, 'state' | 'resources' | 'commitInfo'>): Router {
  const router = Router();

  async function appOr404(req: { params: { name: string } }): Promise<AppStatus> {
    const name = String(req.params.name);
    const status = await deps.state.getApp(name);
    if (!status) throw notFound(`no app named "${name}"; \`baton apps\` lists the apps baton knows`);
    return status;
  }

  apiRoute(router, 'GET /whoami', (_req, res) => {
    res.json({ role: res.locals.role });
  });

  apiRoute(router, 'GET /apps/:name/resources', async (req, res) => {
    const status = await appOr404(req);
    if (!deps.resources) throw notImplemented('the live object tree is not served by this controller (no resources provider was given to the API)');
    const tree = await deps.resources(status).catch((err: Error) => {
      throw err instanceof ApiError ? err : new ApiError(409, 'ClusterUnreachable', `cannot read the objects of ${status.name} from cluster "${status.cluster}": ${err.message}`);
    });
    res.json(tree);
  });

  apiRoute(router, 'GET /commits/:sha', async (req, res) => {
    const sha = String(req.params.sha);
    if (!/^[0-9a-f]{4,64}$/.test(sha)) throw badRequest(`params.sha: "${sha}" is not a commit id (4 to 64 lowercase hex digits)`);
    if (!deps.commitInfo) throw notImplemented('commit details are not served by this controller (no commit provider was given to the API)');
    const info = await deps.commitInfo(sha);
    if (!info) throw notFound(`no commit ${sha} in the repositories baton follows`);
    res.set('Cache-Control', 'private, max-age=86400, immutable').json(info);
  });

  return router;
}
