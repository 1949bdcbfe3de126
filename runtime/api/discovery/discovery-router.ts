import { Router, type Request, type Response } from 'express';
import { apiGroupInfo, apiGroupList, apiResourceList, apiVersions, versionInfo } from './api-resource-list.js';

/**
 * Discovery documents. kubectl first asks for aggregated discovery
 * (apidiscovery.k8s.io/v2); answering plain `application/json` makes it fall
 * back to the classic per-group documents, which are served here.
 */
export function discoveryRouter(): Router {
  const router = Router({ caseSensitive: true });
  const json = (res: Response, body: unknown) => res.type('application/json').send(JSON.stringify(body));
  router.get('/version', (_req, res) => json(res, versionInfo()));
  router.get('/api', (req: Request, res) => json(res, apiVersions(req.headers.host ?? '127.0.0.1')));
  router.get('/apis', (_req, res) => json(res, apiGroupList()));
  router.get('/api/:version', (req, res, next) => {
    const list = apiResourceList('', req.params.version);
    return list ? json(res, list) : next();
  });
  router.get('/apis/:group', (req, res, next) => {
    const group = apiGroupInfo(req.params.group);
    return group ? json(res, group) : next();
  });
  router.get('/apis/:group/:version', (req, res, next) => {
    const list = apiResourceList(req.params.group, req.params.version);
    return list ? json(res, list) : next();
  });
  return router;
}
