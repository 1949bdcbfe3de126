import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { WebhookProvider } from './webhook-event.js';

/** How long a delivery id is remembered; GitHub and GitLab redeliver within hours, not days. */
export const DEFAULT_DELIVERY_TTL_SECONDS = 24 * 60 * 60;

/**
 * Remembers delivery ids, and digests of the bodies delivered, in Redis so a
 * replayed delivery is recognised across controller restarts and across
 * several controller processes: the first `SET NX` wins, every later one sees
 * the key. The body digest catches a captured body sent again under a new
 * delivery id (the signature covers the body only, not the id).
 */
export class DeliveryGuard {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number = DEFAULT_DELIVERY_TTL_SECONDS,
    private readonly bodyTtlSeconds: number = DEFAULT_DELIVERY_TTL_SECONDS,
  ) {}

  /** True when no delivery of `event` with this exact body was claimed within the body window. */
  async claimBody(provider: WebhookProvider, event: string, body: Buffer): Promise<boolean> {
    const reply = await this.redis.set(bodyKey(provider, event, body), String(Date.now()), 'EX', this.bodyTtlSeconds, 'NX');
    return reply === 'OK';
  }

  /** Forgets a claimed body whose handling failed, so the provider's retry is processed. */
  async releaseBody(provider: WebhookProvider, event: string, body: Buffer): Promise<void> {
    await this.redis.del(bodyKey(provider, event, body));
  }

  /** True when this call is the first to see the delivery (within the TTL). */
  async claim(provider: WebhookProvider, delivery: string): Promise<boolean> {
    const reply = await this.redis.set(key(provider, delivery), String(Date.now()), 'EX', this.ttlSeconds, 'NX');
    return reply === 'OK';
  }

  /** Forgets a claimed delivery whose handling failed, so the provider's retry is processed. */
  async release(provider: WebhookProvider, delivery: string): Promise<void> {
    await this.redis.del(key(provider, delivery));
  }
}

function bodyKey(provider: WebhookProvider, event: string, body: Buffer): string {
  const digest = createHash('sha256').update(event).update('\0').update(body).digest('hex');
  return `baton:webhook:body:${provider}:${digest}`;
}

function key(provider: WebhookProvider, delivery: string): string {
  return `baton:webhook:delivery:${provider}:${delivery}`;
}
