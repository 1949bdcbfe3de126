import type { NextFunction, Request, Response } from 'express';
import { forbidden, unauthorized } from './api-error.js';
import type { ApiRole, TokenStore } from './token-store.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Bearer-token auth for every /api/v1 route: no or an unknown token is 401,
 * a read-only token on anything but a read is 403. The role is left in
 * `res.locals.role`.
 */
export function bearerAuth(tokens: TokenStore) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization');
    const match = header ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      res.set('WWW-Authenticate', 'Bearer realm="baton"');
      throw unauthorized(header ? 'the Authorization header must be "Bearer <token>"' : 'an API token is required: send "Authorization: Bearer <token>" (the token is in <state-dir>/api-token)');
    }
    const role: ApiRole | undefined = tokens.roleOf(match[1]);
    if (!role) {
      res.set('WWW-Authenticate', 'Bearer realm="baton", error="invalid_token"');
      throw unauthorized('the API token is not valid');
    }
    if (role === 'read-only' && !READ_METHODS.has(req.method)) {
      throw forbidden(`the read-only token may only read; ${req.method} ${req.path} needs the deploy token (<state-dir>/api-token)`);
    }
    res.locals.role = role;
    next();
  };
}
