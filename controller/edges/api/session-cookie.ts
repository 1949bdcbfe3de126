import { Router } from 'express';
import { TOKEN_COOKIE } from '../queue-board/queue-board-auth.js';
import { forbidden } from './api-error.js';
import { apiRoute } from './api-route.js';

/** Where the queue board lives; the cookie is sent nowhere else. */
const COOKIE_PATH = '/admin';

/**
 * `POST /api/v1/session` sets the deploy token as the `baton-token` cookie
 * the queue board (/admin/queues) reads, and `DELETE` clears it. The server
 * sets it so it can be HttpOnly (page scripts never read it) and
 * SameSite=Strict; not Secure, since baton serves plain HTTP on loopback and
 * browsers would drop a Secure cookie there.
 */
export function sessionCookieRoutes(): Router {
  const router = Router();
  apiRoute(router, 'POST /session', (req, res) => {
    if (res.locals.role !== 'deploy') throw forbidden('only the deploy token opens the queue view; the read-only token needs no cookie');
    const token = /^Bearer[ ]+(\S+)\s*$/i.exec(req.get('authorization') ?? '')![1];
    res.cookie(TOKEN_COOKIE, token, { path: COOKIE_PATH, httpOnly: true, sameSite: 'strict' });
    res.status(204).end();
  });
  apiRoute(router, 'DELETE /session', (_req, res) => {
    res.clearCookie(TOKEN_COOKIE, { path: COOKIE_PATH, httpOnly: true, sameSite: 'strict' });
    res.status(204).end();
  });
  return router;
}
