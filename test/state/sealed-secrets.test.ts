import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStore } from '../../controller/state/state-store.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

const VALUE = 'pg-password-7c41e2-never-in-redis';
let redis: TestRedis;
let keyDir: string;

beforeAll(async () => {
  redis = await startTestRedis();
  keyDir = mkdtempSync(join(tmpdir(), 'baton-sealed-'));
});
afterAll(async () => {
  await redis?.cleanup();
  rmSync(keyDir, { recursive: true, force: true });
});

const secret: KubeObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'shop' },
  type: 'Opaque',
  data: { password: Buffer.from(VALUE).toString('base64') },
  stringData: { url: `postgres://app:${VALUE}@db/shop` },
};

/** Every key of Redis and its value, as `redis-cli --scan` plus a dump of each would show them. */
async function everything(url: string): Promise<string> {
  const client = new Redis(url.replace(/^redis\+unix:\/\//, ''), { lazyConnect: true });
  await client.connect();
  try {
    const out: string[] = [];
    for (const key of await client.keys('*')) out.push(key, (await client.dumpBuffer(key))?.toString('latin1') ?? '');
    for (const key of await client.keys('*')) {
      const type = await client.type(key);
      if (type === 'hash') out.push(JSON.stringify(await client.hgetall(key)));
      if (type === 'list') out.push(JSON.stringify(await client.lrange(key, 0, -1)));
      if (type === 'string') out.push(String(await client.get(key)));
      if (type === 'stream') out.push(JSON.stringify(await client.xrange(key, '-', '+')));
    }
    return out.join('\n');
  } finally {
    client.disconnect();
  }
}

describe('Secret values in the manifests kept for rollbacks', () => {
  it('are sealed in Redis and its files, and come back exactly for a rollback', async () => {
    const store = new StateStore({ redisUrl: redis.url, secretsKeyDir: keyDir });
    try {
      await store.ensureApp({ name: 'db', namespace: 'shop', cluster: 'local' });
      await store.recordSync('db', {
        entry: { revision: 'r1', digest: 'sha256:r1', result: 'Succeeded', startedAt: '2026-12-06T09:00:00Z', finishedAt: '2026-12-06T09:00:01Z', durationMs: 1000, trigger: 'poll', message: 'synced and healthy' },
        status: { revision: 'r1' },
        healthy: { revision: 'r1', digest: 'sha256:r1', objects: [secret] },
      });
      const dumped = await everything(redis.url);
      // The dump did read the kept manifests (the Secret's name is in them), so the checks below mean something.
      expect(dumped).toContain('k8s:enc:aesgcm:v1:key1:');
      for (const text of [VALUE, Buffer.from(VALUE).toString('base64')]) expect(dumped).not.toContain(text);
      // The append-only file and any snapshot in Redis' own directory.
      for (const file of readdirSync(redis.dir, { recursive: true }) as string[]) {
        const path = join(redis.dir, file);
        if (!statSync(path).isFile()) continue;
        const bytes = readFileSync(path).toString('latin1');
        for (const text of [VALUE, Buffer.from(VALUE).toString('base64')]) expect(bytes.includes(text), `${file} holds the secret`).toBe(false);
      }
      expect((await store.getHealthyManifests('db', 'r1'))?.objects).toEqual([secret]);
      expect(statSync(join(keyDir, 'secrets-key')).mode & 0o777).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it('are sealed again under a new key by a rotation, and a store opened before it still reads them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-rotate-'));
    const before = new StateStore({ redisUrl: redis.url, secretsKeyDir: dir });
    const rotating = new StateStore({ redisUrl: redis.url, secretsKeyDir: dir });
    try {
      // The first test's app was sealed under another state dir's key.
      await before.deleteApp('db');
      await before.ensureApp({ name: 'cache', namespace: 'shop', cluster: 'local' });
      await before.recordSync('cache', {
        entry: { revision: 'r1', digest: 'sha256:r1', result: 'Succeeded', startedAt: '2026-12-06T09:00:00Z', finishedAt: '2026-12-06T09:00:01Z', durationMs: 1000, trigger: 'poll', message: 'synced and healthy' },
        status: { revision: 'r1' },
        healthy: { revision: 'r1', digest: 'sha256:r1', objects: [secret] },
      });
      const oldKey = readFileSync(join(dir, 'secrets-key'), 'utf8');

      expect(await rotating.rotateSecretsKey()).toBe(1);

      const newKey = readFileSync(join(dir, 'secrets-key'), 'utf8');
      expect(JSON.parse(newKey).keys.map((k: { name: string }) => k.name)).toEqual(['key2']);
      expect(newKey).not.toContain(JSON.parse(oldKey).keys[0].secret);
      const dumped = await everything(redis.url);
      expect(dumped).toContain('k8s:enc:aesgcm:v1:key2:');
      expect(dumped).not.toContain('k8s:enc:aesgcm:v1:key1:');
      for (const text of [VALUE, Buffer.from(VALUE).toString('base64')]) expect(dumped).not.toContain(text);
      // A rollback in a process that read the key file before the rotation still gets the values back.
      expect((await before.getHealthyManifests('cache', 'r1'))?.objects).toEqual([secret]);
      expect((await rotating.getHealthyManifests('cache', 'r1'))?.objects).toEqual([secret]);
    } finally {
      await before.close();
      await rotating.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
