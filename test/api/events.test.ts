import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../controller/redis/connect-redis.js';
import { openEvents, rev, seedApp, startApi, type ApiHarness } from './api-harness.js';
import { waitFor } from '../support/wait.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

describe('GET /api/v1/events', () => {
  it('needs a token', async () => {
    const res = await api.call('GET', '/api/v1/events', { token: null });
    expect(res.status).toBe(401);
  });

  it('delivers events published to the state store, with their ids, and heartbeats', async () => {
    const stream = await openEvents(api.url, api.readonly);
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      await stream.subscribed();
      const id = await api.state.publish({ type: 'sync.started', app: 'catalog', data: { revision: rev('a'), trigger: 'manual' } });
      await seedApp(api.state, 'catalog', [rev('a')]);
      const started = await stream.until('sync.started', () => stream.events.find((e) => e.type === 'sync.started'));
      expect(started).toEqual({ id, type: 'sync.started', app: 'catalog', time: expect.any(String), data: { revision: rev('a'), trigger: 'manual' } });
      const recorded = await stream.until('sync.recorded', () => stream.events.find((e) => e.type === 'sync.recorded'));
      expect(recorded.data).toMatchObject({ entry: { revision: rev('a'), result: 'Succeeded' } });
      await stream.until('a heartbeat', () => (stream.comments.includes('heartbeat') ? true : undefined));
    } finally {
      await stream.close();
    }
  });

  it('replays what a client missed after its Last-Event-ID, then goes on live', async () => {
    const first = await api.state.publish({ type: 'test.one', app: 'replay' });
    const second = await api.state.publish({ type: 'test.two', app: 'replay' });
    const third = await api.state.publish({ type: 'test.three', app: 'replay' });
    const stream = await openEvents(api.url, api.deploy, { lastEventId: first });
    try {
      await stream.subscribed();
      const fourth = await api.state.publish({ type: 'test.four', app: 'replay' });
      await stream.until('the live event', () => stream.events.find((e) => e.id === fourth));
      expect(stream.events.map((e) => e.id)).toEqual([second, third, fourth]);
    } finally {
      await stream.close();
    }
    const byQuery = await openEvents(api.url, api.deploy, { query: `?after=${second}` });
    try {
      await byQuery.subscribed();
      expect(byQuery.events.map((e) => e.type)).toContain('test.three');
      expect(byQuery.events.map((e) => e.type)).not.toContain('test.two');
    } finally {
      await byQuery.close();
    }
  });

  it('keeps to one app with ?app=, and rejects a malformed after', async () => {
    const stream = await openEvents(api.url, api.deploy, { query: '?app=cart' });
    try {
      await stream.subscribed();
      await api.state.publish({ type: 'test.other', app: 'catalog' });
      const mine = await api.state.publish({ type: 'test.mine', app: 'cart' });
      await stream.until('the cart event', () => stream.events.find((e) => e.id === mine));
      expect(stream.events.map((e) => e.app)).toEqual(['cart']);
    } finally {
      await stream.close();
    }
    const bad = await api.call('GET', '/api/v1/events?after=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^query\.after: /);
  });

  it('lets go of its Redis reader when the client goes away', async () => {
    const admin = connectRedis(api.redis.url);
    const clients = async () => ((await admin.client('LIST')) as string).trim().split('\n').length;
    try {
      const before = await clients();
      const stream = await openEvents(api.url, api.deploy);
      await stream.subscribed();
      expect(await clients()).toBe(before + 1);
      await stream.close();
      await waitFor('the reader to disconnect', async () => ((await clients()) === before ? true : undefined));
    } finally {
      await admin.quit();
    }
  });
});
