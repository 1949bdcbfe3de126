import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { BatonMetrics } from './baton-metrics.js';

const PROVIDERS = new Set(['github', 'gitlab']);
const BODY_RESULTS = new Set(['accepted', 'duplicate', 'ignored']);

/**
 * Counts webhook deliveries by provider and result as the receiver answers
 * them: `accepted`, `duplicate`, `ignored` (from the answer's `status`),
 * `unauthorized` (401/403), `not_configured` (404), `rejected` (other 4xx),
 * `error` (5xx). Mount it before the webhook router:
 * `app.use('/api/webhooks', webhookMetrics(metrics))`.
 */
export function webhookMetrics(metrics: BatonMetrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    const segments = req.originalUrl.split('?')[0].split('/');
    const named = segments[segments.indexOf('webhooks') + 1] ?? '';
    const provider = PROVIDERS.has(named) ? named : 'unknown';
    let bodyStatus: unknown;
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      bodyStatus = (body as { status?: unknown } | null)?.status;
      return json(body);
    };
    res.on('finish', () => metrics.webhookRequests.inc({ provider, result: webhookResult(res.statusCode, bodyStatus) }));
    next();
  };
}

function webhookResult(status: number, bodyStatus: unknown): string {
  if (status < 300) return typeof bodyStatus === 'string' && BODY_RESULTS.has(bodyStatus) ? bodyStatus : 'accepted';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_configured';
  if (status < 500) return 'rejected';
  return 'error';
}
