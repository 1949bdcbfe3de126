import type { Redis } from 'ioredis';
import type { WebhookProvider } from './webhook-event.js';

/** How long a delivery id is remembered; GitHub and GitLab redeliver within hours, not days. */
export const DEFAULT_DELIVERY_TTL_SECONDS = 24 * 60 * 60;

/**
 * Remembers delivery ids in Redis so a replayed delivery is recognised across
 * controller restarts and across several controller processes: the first
 * `SET NX` wins, every later one sees the key.
 */
export class DeliveryGuard {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number = DEFAULT_DELIVERY_TTL_SECONDS,
  ) {}

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

function key(provider: WebhookProvider, delivery: string): string {
  return `baton:webhook:delivery:${provider}:${delivery}`;
}
