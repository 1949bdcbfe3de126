import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { censorLine, censorValue } from '../../censor/censor.js';
import { ApiError, badRequest, notFound } from './api-error.js';
import type { ControllerApiDeps } from './api-deps.js';
import { apiRoute } from './api-route.js';
import { appRoutes } from './app-routes.js';
import { bearerAuth } from './bearer-auth.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { eventStreamRoute } from './event-stream-route.js';
import { sessionCookieRoutes } from './session-cookie.js';

/**
 * The controller's REST API as an express router to mount at `/`: `/healthz`
 * (no auth) and everything under `/api/v1` (bearer token; see
 * controller/edges/api/README.md). Errors are JSON `{error, message}`.
 */
export function createControllerApi(deps: ControllerApiDeps): Router {
  const root = Router();
  root.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });

  const v1 = Router();
  v1.use(censorAnswers);
  v1.use(bearerAuth(deps.tokens));
  v1.use(express.json({ limit: deps.bodyLimit ?? '64kb', strict: false }));
  v1.use(requireJsonBody);
  v1.use(appRoutes(deps));
  v1.use(dashboardRoutes(deps));
  v1.use(sessionCookieRoutes());
  apiRoute(v1, 'GET /previews', async (_req, res) => {
    res.json(deps.previews ? await deps.previews() : []);
  });
  apiRoute(v1, 'GET /events', eventStreamRoute(deps));
  v1.use((req) => {
    throw notFound(`no API route ${req.method} ${req.baseUrl}${req.path}`);
  });
  v1.use(errorResponse);

  root.use('/api/v1', v1);
  return root;
}

/**
 * Every answer goes through baton's censor (controller/observe/logging): a token or
 * Secret value that reached a message, a history entry or a pod log line is
 * `[REDACTED]` here, whoever asks. Streams (events) censor what they write.
 */
function censorAnswers(_req: Request, res: Response, next: NextFunction): void {
  const json = res.json.bind(res);
  const send = res.send.bind(res);
  res.json = (body?: unknown) => json(censorValue(body));
  res.send = (body?: unknown) => send(typeof body === 'string' ? censorLine(body) : body);
  next();
}

/**
 * A body that is not JSON would be silently ignored by express.json; refuse it
 * instead. A JSON body that is not an object (`null`, `7`, `"x"`, `[]`) is
 * refused too: no route takes one, and `null` must not read as "no fields".
 */
function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const length = Number(req.get('content-length') ?? 0);
  const sent = length > 0 || req.get('transfer-encoding') !== undefined;
  if (req.body === undefined && sent) {
    throw new ApiError(415, 'UnsupportedMediaType', `the request body must be JSON (Content-Type: application/json), got ${req.get('content-type') ?? 'no Content-Type'}`);
  }
  if (sent && (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))) {
    const got = req.body === null ? 'null' : Array.isArray(req.body) ? 'an array' : `a ${typeof req.body}`;
    throw badRequest(`body: must be a JSON object (e.g. {} or {"revision": "abc1234"}), got ${got}`);
  }
  next();
}

/** body-parser's errors carry `type` and `status`; everything else unexpected is a 500. */
function errorResponse(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  const e = err as Error & { type?: string; status?: number; limit?: number };
  let answer: ApiError;
  if (err instanceof ApiError) answer = err;
  else if (e.type === 'entity.too.large') answer = new ApiError(413, 'PayloadTooLarge', `the request body is larger than the ${e.limit} bytes allowed`);
  else if (e.type === 'entity.parse.failed') answer = badRequest(`body: not valid JSON: ${e.message}`);
  else if (e.type && e.status && e.status < 500) answer = new ApiError(e.status, 'BadRequest', e.message);
  else answer = new ApiError(500, 'InternalError', `internal error: ${e.message ?? String(err)}`);
  res.status(answer.status).json(answer.toJSON());
}
