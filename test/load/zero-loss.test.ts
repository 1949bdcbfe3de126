import { mkdtemp, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWithFixedServer } from './support/shop-server-fix.js';
import { startShop, stopShop, waitShopHealthy, type Shop } from './support/shop.js';
import { describeResult, runZeroLoss } from './zero-loss-run.js';

// The short form of `npm run test:load` (issue 8): the 15-service shop under load through its
// ingress while catalog rolls and a gateway pod is deleted; no request may fail. The shop runs with
// the server.mjs change of support/shop-server-fix.ts (upstream GETs resent after a stale
// kept-alive connection) until examples-repo carries it.

let dir: string;
let shop: Shop | undefined;
let leftover: number[] = [];

beforeAll(async () => {
  dir = await mkdtemp('/tmp/baton-load-');
  await seedWithFixedServer(dir);
  shop = await startShop(dir);
  await waitShopHealthy(shop, 600_000);
}, 700_000);

afterAll(async () => {
  if (shop) leftover = await stopShop(shop);
  if (dir) await rm(dir, { recursive: true, force: true });
  expect(leftover, 'pod processes left after baton up stopped').toEqual([]);
}, 180_000);

describe('the shop under load', () => {
  it('answers every request while catalog rolls and a gateway pod is deleted', { timeout: 600_000 }, async () => {
    const lines: string[] = [];
    const result = await runZeroLoss(shop!, { requests: 1, rate: 100, connections: 8, kill: false, cycle: 'short', log: (l) => lines.push(l) });
    const text = describeResult('zero-loss (short)', result);
    console.log(text);
    expect(result.error, `${text}\n${lines.join('\n')}`).toBeUndefined();
    expect(result.events.map((e) => e.kind)).toEqual(['rollout', 'delete']);
    expect(result.report.sent).toBeGreaterThan(100);
    expect(result.report.failed, text).toBe(0);
  });
});
