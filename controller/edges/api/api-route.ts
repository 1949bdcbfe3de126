import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { ApiAnswer, ApiPath, ApiRoute, PathParams } from './contract.js';

/**
 * A handler of one route of the contract: `res.json`/`res.send` take only the
 * route's answer type, so a handler answering the wrong shape fails typecheck.
 * Bodies and queries arrive unchecked (`unknown`): parseInput checks them.
 */
export type ApiHandler<K extends ApiRoute> = (
  req: Request<PathParams<ApiPath<K>>, ApiAnswer<K>, unknown, unknown>,
  res: Response<ApiAnswer<K>>,
  next: NextFunction,
) => void | Promise<void>;

/** Mounts `handler` on `router` at the route `key` (`'GET /apps/:name'`) names. */
export function apiRoute<K extends ApiRoute>(router: Router, key: K, handler: ApiHandler<K>): void {
  const [method, path] = key.split(' ') as [string, string];
  // What router.get(path, handler) does.
  router.route(path)[method.toLowerCase() as 'get' | 'post' | 'delete'](handler as RequestHandler);
}
