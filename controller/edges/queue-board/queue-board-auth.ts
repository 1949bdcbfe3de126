import type { NextFunction, Request, Response } from 'express';

/** The cookie the dashboard sets on sign-in (path `/admin`), and the queue board sets after a `?token=` visit. */
export const TOKEN_COOKIE = 'baton-token';

/** What the auth needs of the controller's TokenStore. */
export interface TokenRoles {
  roleOf(token: string): 'deploy' | 'read-only' | undefined;
}

/**
 * Deploy-role auth for a browser page: the token comes as `Authorization:
 * Bearer`, as the `baton-token` cookie, or once as `?token=` (which sets the
 * cookie and redirects to the same URL without it, so the token leaves the
 * address bar and the history). None or an unknown token is 401, the
 * read-only token 403: job data names revisions and messages, and the page
 * is for operators.
 */
export function deployTokenAuth(tokens: TokenRoles, cookiePath: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const fromQuery = typeof req.query.token === 'string' ? req.query.token : undefined;
    const token = bearer(req.get('authorization')) ?? fromQuery ?? cookie(req.get('cookie'), TOKEN_COOKIE);
    if (!token) return deny(res, 401, 'an API token is required: open this page with ?token=<token> once (the token is in <state-dir>/api-token), or sign in to the dashboard');
    const role = tokens.roleOf(token);
    if (!role) return deny(res, 401, 'the API token is not valid');
    if (role !== 'deploy') return deny(res, 403, 'the queue view needs the deploy token (<state-dir>/api-token), not the read-only one');
    if (fromQuery !== undefined) {
      res.cookie(TOKEN_COOKIE, token, { path: cookiePath, httpOnly: true, sameSite: 'strict' });
      const url = new URL(req.originalUrl, 'http://host');
      url.searchParams.delete('token');
      res.redirect(303, `${url.pathname}${url.search}`);
      return;
    }
    next();
  };
}

function deny(res: Response, status: 401 | 403, message: string): void {
  if (status === 401) res.set('WWW-Authenticate', 'Bearer realm="baton"');
  res.status(status).json({ error: status === 401 ? 'Unauthorized' : 'Forbidden', message });
}

function bearer(header: string | undefined): string | undefined {
  return header ? /^Bearer[ ]+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value) || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
