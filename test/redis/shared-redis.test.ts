import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectRedis } from '../../controller/redis/connect-redis.js';
import { leaseRedis } from '../../controller/redis/shared-redis.js';
import { PreviewStore } from '../../controller/previews/preview-store.js';
import { SyncQueue } from '../../controller/queue/sync-queue.js';
import { StateStore } from '../../controller/state/state-store.js';
import { SyncRegistry } from '../../controller/state/sync-registry.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(() => redis?.cleanup());

/** Names of the clients connected to the test Redis, the observer's own left out. */
async function clientNames(): Promise<string[]> {
  const observer = connectRedis(redis.url, { connectionName: 'observer' });
  try {
    const list = (await observer.client('LIST')) as string;
    return list
      .trim()
      .split('\n')
      .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '')
      .filter((name) => name !== 'observer')
      .sort();
  } finally {
    await observer.quit();
  }
}

describe('leaseRedis', () => {
  it("gives the state store, registry, previews and the queue's producer one connection, open until the last of them closes", async () => {
    const state = new StateStore({ redisUrl: redis.url });
    const registry = new SyncRegistry(redis.url);
    const previews = new PreviewStore(redis.url);
    const queue = new SyncQueue({ redisUrl: redis.url });
    await state.ensureApp({ name: 'shared-a', namespace: 'shared-a', cluster: 'local' });
    await registry.setApps('repo-1', ['shared-a']);
    await queue.enqueue({ app: 'shared-a', revision: 'a'.repeat(40), trigger: 'manual' });
    expect(await previews.list()).toEqual([]);
    expect(await clientNames()).toEqual(['baton-commands']);

    // The event stream's reader blocks in XREAD, so it has a connection of its own, named for it.
    const subscription = await state.subscribe(() => {});
    expect(await clientNames()).toEqual(['baton-commands', 'baton-events']);
    await subscription.close();
    // Redis drops a closed client when it reads the socket's end, which can come after our next command.
    await vi.waitFor(async () => expect(await clientNames()).toEqual(['baton-commands']));

    // One user closing leaves the connection to the others.
    await state.close();
    await queue.close();
    expect(await registry.repositoryOf('shared-a')).toBe('repo-1');
    await registry.close();
    expect(await previews.list()).toEqual([]);
    await previews.close();
    expect(await clientNames()).toEqual([]);
  });

  it('opens a new connection after the last lease was released, and a lease released twice counts once', async () => {
    const first = leaseRedis(redis.url);
    const second = leaseRedis(redis.url);
    expect(second.redis).toBe(first.redis);
    await first.release();
    await first.release();
    expect(await second.redis.ping()).toBe('PONG');
    await second.release();
    expect(await clientNames()).toEqual([]);

    const again = leaseRedis(redis.url);
    expect(again.redis).not.toBe(first.redis);
    expect(await again.redis.ping()).toBe('PONG');
    await again.release();
  });
});
