import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';
import { defaultAssetsDir } from './package-root.js';

export interface DashboardRouterOptions {
  /** The built files (`npm run build`). @defaultValue `<package root>/dist/dashboard` */
  assetsDir?: string;
}

/**
 * The web dashboard at `/`: the files `npm run build` made, served as they
 * are. The page talks only to this origin's /api/v1 with the token the user
 * signs in with, so its Content-Security-Policy allows nothing else.
 */
export function dashboardRouter(options: DashboardRouterOptions = {}): Router {
  const dir = options.assetsDir ?? defaultAssetsDir();
  const router = Router();
  router.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
    next();
  });
  router.use(
    express.static(dir, {
      index: 'index.html',
      redirect: false,
      setHeaders(res, path) {
        // Scripts and styles carry their content hash in the name; only index.html must be asked for again.
        res.set('Cache-Control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
      },
    }),
  );
  router.get('/', (_req, res) => {
    if (existsSync(join(dir, 'index.html'))) {
      res.set('Cache-Control', 'no-cache').sendFile(join(dir, 'index.html'));
      return;
    }
    res.status(503).type('text/plain').send(`the dashboard is not built (no ${join(dir, 'index.html')}): run \`npm run build\`\n`);
  });
  return router;
}
