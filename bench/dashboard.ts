// The dashboard's first load on 1,000 apps, in Debian's Chromium (playwright-core), against the
// real REST API and dashboard router over a real Redis holding 1,000 apps' state:
//   - GET /api/v1/apps: response time and size (what the first load waits on);
//   - first load: navigation start → the first page of the list rendered (cold: a new browser
//     context each time, so nothing is cached), and the same with a warm cache;
//   - a burst of 1,000 app.updated events (every app Syncing): time until the page shows them all.
// Run: npm run build && npx tsx bench/dashboard.ts [apps=1000] [loads=5]
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import express from 'express';
import { createControllerApi } from '../controller/edges/api/create-controller-api.js';
import { TokenStore } from '../controller/edges/api/token-store.js';
import { dashboardRouter } from '../controller/edges/dashboard/dashboard-router.js';
import { SyncQueue } from '../controller/queue/sync-queue.js';
import { startRedisServer } from '../controller/redis/redis-server.js';
import { StateStore } from '../controller/state/state-store.js';
import { ensureDashboardBuilt, launchChromium } from '../test/dashboard/support/browser.js';

const APPS = Number(process.argv[2] ?? 1000);
const LOADS = Number(process.argv[3] ?? 5);
const PAGE_ROWS = Math.min(APPS, 100);
const REVISIONS = ['4f1c2e9a7b3d5c6e8f9a0b1c2d3e4f5a6b7c8d9e', '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d'];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0)} ms`;

const dir = await mkdtemp('/tmp/baton-bdash-');
const redis = await startRedisServer({ dir: join(dir, 'redis') });
const state = new StateStore({ redisUrl: redis.url });
const queue = new SyncQueue({ redisUrl: redis.url });
let server: Server | undefined;
const browser = await launchChromium();
try {
  await ensureDashboardBuilt();
  const seedStart = performance.now();
  const now = Date.now();
  const names = Array.from({ length: APPS }, (_, i) => `app-${String(i).padStart(4, '0')}`);
  await Promise.all(
    names.map(async (name, i) => {
      await state.ensureApp({ name, namespace: `team-${i % 40}`, cluster: 'local' });
      const degraded = i % 97 === 0;
      await state.updateApp(name, {
        revision: REVISIONS[i % 2],
        observedRevision: REVISIONS[i % 2],
        syncStatus: degraded ? 'OutOfSync' : 'Synced',
        health: degraded ? 'Degraded' : 'Healthy',
        message: degraded ? `${REVISIONS[0].slice(0, 7)} does not render; nothing was applied:\nenvironments/prod/${name}.yaml:3:1: YAML: bad indentation` : '',
        lastSync: new Date(now - i * 1000).toISOString(),
      });
    }),
  );
  process.stdout.write(`seeded ${APPS} apps in ${ms(performance.now() - seedStart)}\n`);

  const tokens = new TokenStore({ deploy: 'bench-deploy-token', readonly: 'bench-readonly-token' });
  const app = express();
  app.use(
    createControllerApi({
      state,
      queue,
      tokens,
      commitInfo: async (sha) => ({ sha, message: `release ${sha.slice(0, 4)}\n\nbody`, author: 'Bench <bench@example.invalid>', time: new Date(now).toISOString() }),
    }),
  );
  app.use(dashboardRouter());
  server = await new Promise<Server>((done) => {
    const s = app.listen(0, '127.0.0.1', () => done(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const apiTimes: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 10; i++) {
    const start = performance.now();
    const res = await fetch(`${base}/api/v1/apps`, { headers: { authorization: 'Bearer bench-deploy-token' } });
    bytes = (await res.arrayBuffer()).byteLength;
    apiTimes.push(performance.now() - start);
  }
  process.stdout.write(`GET /api/v1/apps (${APPS} apps): median ${ms(median(apiTimes))}, ${(bytes / 1024).toFixed(0)} KiB\n`);

  // The time the first page of rows is in the DOM, on the page's own clock (0 = navigation start).
  const recordRendered = `(() => {
    const check = () => {
      if (window.__listRenderedAt === undefined && document.querySelectorAll('table.apps tr[data-app]').length >= ${PAGE_ROWS}) {
        window.__listRenderedAt = performance.now();
      }
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true });
  })()`;
  const load = async (context: Awaited<ReturnType<typeof browser.newContext>>) => {
    const page = await context.newPage();
    await page.addInitScript(recordRendered);
    await page.goto(`${base}/#token=bench-deploy-token`);
    await page.waitForFunction(() => (globalThis as { __listRenderedAt?: number }).__listRenderedAt !== undefined, undefined, { timeout: 60_000 });
    const at = (await page.evaluate('window.__listRenderedAt')) as number;
    const dcl = (await page.evaluate('performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd')) as number;
    return { page, at, dcl };
  };

  const cold: number[] = [];
  const dcls: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    const { at, dcl } = await load(context);
    cold.push(at);
    dcls.push(dcl);
    await context.close();
  }
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  await (await load(context)).page.close();
  const warm: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    const { page, at } = await load(context);
    warm.push(at);
    await page.close();
  }
  process.stdout.write(
    `first load, navigation start → ${PAGE_ROWS} of ${APPS} rows rendered: cold median ${ms(median(cold))} (min ${ms(Math.min(...cold))}, max ${ms(Math.max(...cold))}; DOMContentLoaded ${ms(median(dcls))}), warm median ${ms(median(warm))}\n`,
  );

  // Live updates: every app goes Syncing at once; how long until the page has applied them all.
  const { page } = await load(context);
  await page.waitForSelector('.stream-live');
  const start = performance.now();
  await Promise.all(names.map((name) => state.updateApp(name, { syncStatus: 'Syncing', health: 'Progressing' })));
  const published = performance.now() - start;
  // A function, not a string: the dashboard's Content-Security-Policy refuses eval.
  await page.waitForFunction(
    ({ rows, apps }) => {
      const document = (globalThis as any).document;
      return document.querySelectorAll('table.apps tr[data-app][data-sync="Syncing"]').length === rows && document.querySelector('.summary').textContent.includes(`${apps} Progressing`);
    },
    { rows: PAGE_ROWS, apps: APPS },
    { timeout: 120_000, polling: 50 },
  );
  process.stdout.write(`${APPS} app.updated events (published in ${ms(published)}): all shown ${ms(performance.now() - start)} after the first was sent\n`);
  await context.close();
} finally {
  await browser.close();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  await state.close();
  await queue.close();
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
