import { Router } from 'express';
import { StatusError } from '../../errors/status-error.js';
import { sendStatus } from '../send-status.js';
import type { ServedOpenApi } from './served-openapi.js';

/**
 * `/openapi/v3` (index and one document per group/version) and `/openapi/v2`.
 * kubectl reads v3 to learn that the server validates fields itself and to
 * compute strategic merge patches; v2 is served as JSON only, since
 * client-go asks for it as protobuf and falls back when refused.
 */
export function openApiRouter(openapi: ServedOpenApi): Router {
  const router = Router({ caseSensitive: true });
  router.get('/openapi/v3', (_req, res) => {
    res.type('application/json').send(JSON.stringify(openapi.v3Index()));
  });
  router.get(/^\/openapi\/v3\/(.+)$/, (req, res) => {
    const key = (req.params as Record<string, string>)[0];
    const doc = openapi.v3.get(key);
    if (!doc) return sendStatus(res, new StatusError(404, 'NotFound', `the server could not find the requested resource (/openapi/v3/${key})`));
    res.setHeader('Etag', `"${doc.hash}"`);
    res.type('application/json').send(doc.json);
  });
  router.get('/openapi/v2', (req, res) => {
    const accept = req.headers.accept ?? '';
    if (accept && !/application\/json|\*\/\*/.test(accept)) {
      return sendStatus(res, new StatusError(406, 'NotAcceptable', `only application/json is served for /openapi/v2 (asked for ${accept})`));
    }
    res.type('application/json').send(openapi.v2Json);
  });
  return router;
}
