import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, parseRedisUrl } from '../../controller/redis/connect-redis.js';
import { openRedis } from '../../controller/redis/open-redis.js';
import { RedisError } from '../../controller/redis/redis-error.js';
import { startRedisServer } from '../../controller/redis/redis-server.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-rs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('startRedisServer', () => {
  it('serves on a private unix socket, stops, and keeps its data across a restart', async () => {
    const data = join(dir, 'state');
    const first = await startRedisServer({ dir: data });
    expect(first.url).toBe(`redis+unix://${join(data, 'redis.sock')}`);
    expect((await stat(first.socketPath!)).mode & 0o777).toBe(0o700);
    const client = connectRedis(first.url);
    await client.set('baton:test', 'kept');
    await client.quit();

    // A second Redis on the same state dir would steal the socket and share the AOF.
    await expect(startRedisServer({ dir: data })).rejects.toMatchObject({ code: 'STATE_DIR_BUSY' });

    await first.stop();
    expect(await first.exited).toEqual({ code: 0, signal: null });

    const second = await startRedisServer({ dir: data });
    try {
      const again = connectRedis(`unix://${second.socketPath}`);
      expect(await again.get('baton:test')).toBe('kept');
      await again.quit();
    } finally {
      await second.stop();
    }
  });

  it('listens on loopback TCP when asked', async () => {
    const server = await startRedisServer({ dir: join(dir, 'tcp'), socket: false });
    try {
      expect(server.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      const client = connectRedis(server.url);
      expect(await client.ping()).toBe('PONG');
      await client.quit();
    } finally {
      await server.stop();
    }
  });

  it('says how to fix a missing redis-server', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startRedisServer({ dir: join(dir, 'none') })).rejects.toThrow(/redis-server is not installed: run `npx baton setup`.*or set REDIS_URL/);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('openRedis', () => {
  it("starts a private Redis on the state dir's redis.sock, or uses REDIS_URL as given", async () => {
    const stateDir = join(dir, 'baton');
    const own = await openRedis({ stateDir });
    try {
      expect(own.url).toBe(`redis+unix://${join(stateDir, 'redis.sock')}`);
      const theirs = await openRedis({ stateDir: join(dir, 'unused'), redisUrl: own.url });
      expect(theirs.owned).toBe(false);
      await theirs.close();
      // Closing the user's Redis handle leaves that Redis running.
      const client = connectRedis(theirs.url);
      expect(await client.ping()).toBe('PONG');
      await client.quit();
    } finally {
      await own.close();
    }
    await expect(openRedis({ stateDir, redisUrl: 'mysql://x' })).rejects.toMatchObject({ code: 'INVALID_URL' });
  });
  it('restarts its private Redis after a crash, and clients carry on with the data kept', async () => {
    const restarts: unknown[] = [];
    const own = await openRedis({ stateDir: join(dir, 'crash'), onRestart: (e) => restarts.push(e) });
    const client = connectRedis(own.url);
    try {
      await client.set('baton:kept', 'yes');
      const firstPid = own.pid!;
      const dropped = new Promise((r) => client.once('close', r));
      process.kill(firstPid, 'SIGKILL');
      await dropped;
      // Sent while Redis is down (the restart waits a second): ioredis holds it until the new server answers.
      expect(await client.get('baton:kept')).toBe('yes');
      // The handle learns of the new server once its own PONG check passes, which may be after the client's.
      for (let i = 0; i < 200 && own.pid === firstPid; i++) await new Promise((r) => setTimeout(r, 50));
      expect(own.pid).not.toBe(firstPid);
      expect(restarts).toEqual([{ exit: { code: null, signal: 'SIGKILL' } }]);
    } finally {
      await client.quit();
      await own.close();
    }
  });
});

describe('parseRedisUrl', () => {
  it.each([
    ['redis+unix:///var/baton/redis.sock', { path: '/var/baton/redis.sock' }],
    ['unix:///tmp/r.sock?db=2', { path: '/tmp/r.sock', db: 2 }],
    ['/tmp/r.sock', { path: '/tmp/r.sock' }],
    ['redis://127.0.0.1:6379/1', {}],
  ])('%s', (url, expected) => {
    expect(parseRedisUrl(url)).toEqual(expected);
  });

  it('rejects other schemes without echoing a password', () => {
    expect(() => parseRedisUrl('http://user:secret@localhost')).toThrow(RedisError);
    expect(() => parseRedisUrl('http://user:secret@localhost')).toThrow(/user:\*\*\*@localhost/);
  });
});
