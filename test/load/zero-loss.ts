// Zero-loss rollouts under load (issue 8): `npm run test:load [-- --kill] [--requests N] [--rate R]`.
// Starts `baton up` on the examples repository in a temporary state dir, waits for the shop to be
// Healthy, then loads its ingress (Host shop.localhost) while committing rolling updates, a release
// that never gets ready (rolled back automatically) and graceful pod deletions; with --kill also
// SIGKILLs pod processes. Prints requests sent/failed (by reason), latency percentiles and the
// events; --fix-server runs the shop with the server.mjs change of support/shop-server-fix.ts.
// Exits 1 if a request failed (with --kill: if one failed that was not in flight at a kill).
import { mkdtemp, rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { describeResult, runZeroLoss } from './zero-loss-run.js';
import { seedWithFixedServer } from './support/shop-server-fix.js';
import { startShop, stopShop, tail, waitShopHealthy, type Shop } from './support/shop.js';

const { values } = parseArgs({
  options: {
    kill: { type: 'boolean', default: false },
    requests: { type: 'string', default: '50000' },
    rate: { type: 'string', default: '200' },
    connections: { type: 'string', default: '8' },
    'keep-state': { type: 'boolean', default: false },
    // Run the shop with the server.mjs change proposed in support/shop-server-fix.ts (committed to the state dir's copy).
    'fix-server': { type: 'boolean', default: false },
  },
});
const number = (flag: string, text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${flag}: expected a positive integer, got "${text}"`);
  return n;
};
const requests = number('requests', values.requests);
const rate = number('rate', values.rate);
const connections = number('connections', values.connections);
const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

const dir = await mkdtemp('/tmp/baton-load-');
let shop: Shop | undefined;
let exitCode = 1;
// Ctrl-C (or SIGTERM) ends the run after the current event, so baton up and its pods are still stopped.
const interrupted = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: finishing the current event, then stopping baton up and its pods`);
    interrupted.abort();
  });
}
try {
  if (values['fix-server']) {
    await seedWithFixedServer(dir);
    log('services/lib/server.mjs in the synced copy: upstream GETs resent after a stale kept-alive connection (support/shop-server-fix.ts)');
  }
  log(`baton up in ${dir}`);
  shop = await startShop(dir);
  const started = Date.now();
  await waitShopHealthy(shop);
  log(`the shop is Healthy after ${((Date.now() - started) / 1000).toFixed(0)} s; load: ${rate} req/s on ${connections} connections to ${shop.ingress.host}:${shop.ingress.port} (Host shop.localhost) until ${requests} requests`);

  const result = await runZeroLoss(shop, { requests, rate, connections, kill: values.kill, log, signal: interrupted.signal });
  const title = values.kill ? 'zero-loss run 2 (rollouts, rollback, graceful deletes, SIGKILLs)' : 'zero-loss run 1 (rollouts, rollback, graceful deletes)';
  process.stdout.write(`\n${describeResult(title, result)}\n`);

  const unexplained = values.kill ? result.kills.reduce((n, k) => n + k.failedAfter, 0) + failuresOutsideKills(result) : result.report.failed;
  if (result.error) log(`verdict: FAIL (the driver stopped early)\n${tail(shop, 40)}`);
  else if (result.report.sent < requests) log(`verdict: FAIL (only ${result.report.sent} requests sent)`);
  else if (unexplained > 0) log(`verdict: FAIL (${unexplained} failed requests ${values.kill ? 'not in flight at a kill' : ''})`);
  else {
    log(`verdict: PASS (${result.report.failed} failed of ${result.report.sent}${values.kill ? ', all in flight at a kill' : ''})`);
    exitCode = 0;
  }
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  if (shop) log(tail(shop, 40));
} finally {
  if (shop) {
    const left = await stopShop(shop);
    log(left.length ? `pod processes left after stopping baton up (killed): ${left.join(' ')}` : 'baton up stopped; no pod process left');
  }
  if (!values['keep-state']) await rm(dir, { recursive: true, force: true });
}
process.exit(exitCode);

function failuresOutsideKills(result: Awaited<ReturnType<typeof runZeroLoss>>): number {
  return result.report.failures.filter((f) => !result.kills.some((k) => f.startMs <= k.atMs && f.endMs >= k.atMs) && !result.kills.some((k) => f.startMs > k.atMs && f.startMs < k.backMs)).length;
}
