import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import { DeliveryGuard } from './delivery-guard.js';
import { parseJsonBody } from './parse-payload.js';
import { github, gitlab, type ProviderSpec } from './providers.js';
import type { WebhookEvent } from './webhook-event.js';
import { silentLogger, type WebhookLogger } from './webhook-logger.js';
import { WebhookRequestError } from './webhook-request-error.js';

export interface WebhookRouterOptions {
  /** Remembers delivery ids, so replays are caught across restarts and controller processes. */
  redis: Redis;
  /** GitHub's webhook secret (`BATON_GITHUB_WEBHOOK_SECRET`); without it the GitHub endpoint answers 404. @defaultValue undefined */
  githubSecret?: string;
  /** GitLab's secret token (`BATON_GITLAB_WEBHOOK_TOKEN`); without it the GitLab endpoint answers 404. @defaultValue undefined */
  gitlabToken?: string;
  /**
   * Called once per verified, new delivery baton acts on. Keep it short (enqueue
   * work): the provider waits for the answer (GitHub gives up after 10 s). If it
   * throws, the delivery answers 500 and is forgotten, so a redelivery is processed.
   */
  onEvent(event: WebhookEvent): Promise<void> | void;
  /** @defaultValue no logging */
  logger?: WebhookLogger;
  /** Larger bodies are refused with 413; GitHub caps payloads at 25 MB. @defaultValue 25 MiB */
  maxBodyBytes?: number;
  /** How long a delivery id is remembered. @defaultValue 86400 (24 h) */
  deliveryTtlSeconds?: number;
  /** How long a body's digest is remembered: the same body under a new delivery id within it is a duplicate. @defaultValue 86400 (24 h) */
  bodyTtlSeconds?: number;
}

const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * `POST /api/webhooks/github` and `POST /api/webhooks/gitlab`. Each request is
 * authenticated against the raw body first, then parsed and validated, then
 * de-duplicated by delivery id and by body digest; only then does onEvent see it. A provider
 * whose secret is not configured answers 404 with a JSON message naming the
 * variable, exactly as if the route did not exist for it. Answers:
 * 200 `{status: 'accepted'}` or `{status: 'duplicate', duplicateOf: 'delivery'|'body'}`, 202 `{status: 'ignored'}` for events
 * baton does not act on, 4xx `{error, code, field?}` for refused requests.
 */
export function createWebhookRouter(options: WebhookRouterOptions): Router {
  const logger = options.logger ?? silentLogger;
  const guard = new DeliveryGuard(options.redis, options.deliveryTtlSeconds, options.bodyTtlSeconds);
  // Any content type: GitHub may send form-encoded payloads, and the signature covers the bytes as sent.
  const rawBody = express.raw({ type: () => true, limit: options.maxBodyBytes ?? 25 * 1024 * 1024 });
  const router = Router();

  for (const [spec, secret] of [
    [github, options.githubSecret],
    [gitlab, options.gitlabToken],
  ] as const) {
    const checkHeaders = (req: Request, _res: Response, next: NextFunction) => {
      spec.checkHeaders(req, secret!);
      next();
    };
    router.post(`/api/webhooks/${spec.name}`, requireConfigured(spec, secret), checkHeaders, rawBody, async (req, res) => {
      // requireConfigured guarantees the secret.
      await receive(spec, secret!, req, res);
    });
  }

  async function receive(spec: ProviderSpec, secret: string, req: Request, res: Response): Promise<void> {
    if (req.body !== undefined && !Buffer.isBuffer(req.body)) {
      // A JSON parser mounted earlier consumed the body; the signature covers bytes that are gone.
      throw new WebhookRequestError(
        'MISCONFIGURED',
        'baton is misconfigured: the webhook router must be mounted before any body parser (express.json()), it needs the raw body',
      );
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    spec.authenticate(req, body, secret);
    const delivery = requiredHeader(req, spec.deliveryHeader);
    if (!DELIVERY_ID.test(delivery)) {
      throw new WebhookRequestError('MISSING_HEADER', `${spec.deliveryHeader} is not a delivery id`, spec.deliveryHeader);
    }
    const eventName = requiredHeader(req, spec.eventHeader);
    const event = spec.toEvent(eventName, delivery, parseJsonBody(body, req.get('content-type')));
    if (!event) {
      logger.info({ provider: spec.name, delivery, event: eventName }, 'webhook ignored');
      res.status(202).json({ status: 'ignored', event: eventName });
      return;
    }
    let seen: 'delivery' | 'body' | undefined;
    try {
      if (!(await guard.claim(spec.name, delivery))) seen = 'delivery';
      else if (!(await guard.claimBody(spec.name, eventName, body))) seen = 'body';
    } catch (err) {
      logger.error({ provider: spec.name, delivery, err }, 'webhook: cannot record the delivery in Redis');
      res.status(503).json({ error: 'cannot record the delivery (Redis unavailable); retry later', code: 'UNAVAILABLE' });
      return;
    }
    if (seen) {
      // 200, not 4xx: both providers count any other answer as a failed delivery (GitLab disables hooks that keep failing).
      logger.info({ provider: spec.name, delivery, duplicateOf: seen }, 'webhook duplicate delivery ignored');
      res.status(200).json({ status: 'duplicate', duplicateOf: seen });
      return;
    }
    try {
      await options.onEvent(event);
    } catch (err) {
      logger.error({ provider: spec.name, delivery, err }, 'webhook handler failed');
      await guard.release(spec.name, delivery).catch(() => {});
      await guard.releaseBody(spec.name, eventName, body).catch(() => {});
      res.status(500).json({ error: 'the event could not be handled; redeliver it to retry', code: 'HANDLER_FAILED' });
      return;
    }
    logger.info({ provider: spec.name, delivery, kind: event.kind }, 'webhook accepted');
    res.status(200).json({ status: 'accepted', kind: event.kind });
  }

  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/api/webhooks/')) return next(err);
    const refused = asRequestError(err, options.maxBodyBytes);
    if (!refused) {
      logger.error({ path: req.path, err }, 'webhook receiver failed');
      res.status(500).json({ error: 'internal error', code: 'INTERNAL' });
      return;
    }
    const provider = req.path.split('/')[3];
    logger.warn({ provider, status: refused.status, code: refused.code, reason: refused.message }, 'webhook refused');
    res.status(refused.status).json({ error: refused.message, code: refused.code, ...(refused.field ? { field: refused.field } : {}) });
  });

  return router;
}

function requireConfigured(spec: ProviderSpec, secret: string | undefined) {
  return (_req: Request, res: Response, next: NextFunction) => {
    if (secret) return next();
    res.status(404).json({
      error: `${spec.name} webhooks are not configured: set ${spec.secretVariable}`,
      code: 'NOT_CONFIGURED',
    });
  };
}

function requiredHeader(req: Request, name: string): string {
  const value = req.get(name)?.trim();
  if (!value) throw new WebhookRequestError('MISSING_HEADER', `missing ${name} header`, name);
  return value;
}

/** Body-parser's errors carry a `type`; they become the answers a provider can act on. */
function asRequestError(err: unknown, maxBodyBytes = 25 * 1024 * 1024): WebhookRequestError | undefined {
  if (err instanceof WebhookRequestError) return err;
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large') {
    return new WebhookRequestError('PAYLOAD_TOO_LARGE', `body is larger than ${maxBodyBytes} bytes`);
  }
  if (type === 'request.aborted' || type === 'request.size.invalid' || type === 'encoding.unsupported') {
    return new WebhookRequestError('INVALID_PAYLOAD', (err as Error).message);
  }
  // Whatever else body-parser refuses as the client's fault (a Content-Encoding body that does not inflate) is bad input, not a 500.
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new WebhookRequestError('INVALID_PAYLOAD', `body could not be read: ${(err as Error).message}`);
  }
  return undefined;
}
