import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { methodNotAllowed, StatusError } from '../errors/status-error.js';
import { accessMiddleware, createAccessControl, type AccessControl } from './auth/access-control.js';
import { reviewRouter } from './auth/review-handlers.js';
import type { ServiceAccountTokens } from './auth/service-account-tokens.js';
import { handleTokenRequest } from './auth/token-request.js';
import { discoveryRouter } from './discovery/discovery-router.js';
import type { ApiContext } from './handlers/api-context.js';
import { handleResourceRequest } from './handlers/resource-handler.js';
import { metricsApiRouter } from '../metrics/metrics-api.js';
import type { MetricsSource } from '../metrics/metrics-sampler.js';
import { openApiRouter } from './openapi/openapi-router.js';
import { goesStraightToResources } from './routing/resource-shortcut.js';
import { sendStatus } from './send-status.js';

export interface ApiAppOptions extends ApiContext {
  /** The admin token (user `baton-admin` in `system:masters`); every request carries it or a service account token. */
  token: string;
  /**
   * Signs and checks service account tokens (TokenRequest, and bearer tokens of that kind).
   * @defaultValue undefined — only the admin token is accepted and TokenRequest answers 404
   */
  serviceAccountTokens?: ServiceAccountTokens;
  /**
   * Authentication and RBAC, shared with the upgrade handler.
   * @defaultValue made from `token`, `serviceAccountTokens` and `cluster`
   */
  access?: AccessControl;
  /**
   * Pod and node usage behind `metrics.k8s.io` (`kubectl top`).
   * @defaultValue undefined — the metrics API answers 503
   */
  metrics?: MetricsSource;
}

/**
 * The runtime's Kubernetes API as an express app: auth, discovery, OpenAPI,
 * then resource requests (those no other router serves go to the resource
 * handler right after auth). Every failure is answered with a Kubernetes Status.
 */
export function createApiApp(options: ApiAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  // Kubernetes' paths are case-sensitive: the authorizer reads `/API/v1/…` as a non-resource path, so no route may serve it as the API.
  app.set('case sensitive routing', true);
  const access = options.access ?? createAccessControl({ adminToken: options.token, cluster: options.cluster, tokens: options.serviceAccountTokens });
  app.use(accessMiddleware(access));
  const ctx: ApiContext = { cluster: options.cluster, openapi: options.openapi, logs: options.logs, authorizer: access.authorizer };
  const serveResource = async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (!(await handleResourceRequest(ctx, req, res))) next();
    } catch (err) {
      req.resume();
      sendStatus(res, err);
    }
  };
  // Nearly every request is a resource request: it skips the routers below that would not serve it.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (goesStraightToResources(req.method, req.path)) void serveResource(req, res, next);
    else next();
  });
  // Express would answer OPTIONS itself (200, text "GET, HEAD") for routes it knows; this API serves no OPTIONS.
  app.options(/.*/, (req: Request, res: Response) => {
    req.resume();
    sendStatus(res, methodNotAllowed(`the server does not allow this method on the requested resource (OPTIONS ${req.path})`));
  });
  app.get('/healthz', (_req, res) => void res.type('text/plain').send('ok'));
  app.get('/readyz', (_req, res) => void res.type('text/plain').send('ok'));
  app.get('/livez', (_req, res) => void res.type('text/plain').send('ok'));
  app.use(discoveryRouter());
  app.use(openApiRouter(options.openapi));
  app.use(metricsApiRouter(options.metrics));
  app.use(reviewRouter(access.authorizer));
  const tokens = options.serviceAccountTokens;
  if (tokens) {
    app.all('/api/v1/namespaces/:namespace/serviceaccounts/:name/token', (req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'POST') return next(methodNotAllowed(`the server does not allow this method on the requested resource (${req.method} serviceaccounts/token)`));
      handleTokenRequest(options.cluster, tokens, req, res, String(req.params.namespace), String(req.params.name)).catch(next);
    });
  }
  app.use(serveResource);
  app.use((req: Request, res: Response) => {
    req.resume();
    sendStatus(res, new StatusError(404, 'NotFound', `the server could not find the requested resource (${req.method} ${req.path})`, {}));
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    req.resume();
    sendStatus(res, err);
  });
  return app;
}
