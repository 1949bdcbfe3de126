// Resource bounds (issue 8): memory of baton up stays flat while commits keep coming.
//   npx tsx bench/soak.ts [--minutes 10] [--commit-every 4] [--sample-every 10] [--warm-up 5] [--skip-build]
// Builds (npm run build), then starts the compiled `baton up` on the examples repository (a
// separate process, temporary state dir), waits
// for the 15-service shop to be Healthy, then commits a values change every few seconds
// (alternating: users' version; shipping's and orders' versions) for --minutes, sampling RSS every
// --sample-every seconds of:
//   - the baton up process: controller, worker and the built-in runtime (API server, controllers,
//     kubelet, service proxy, ingress) all run in this one Node process; with its V8 heap in use
//     (from its /metrics), which tells a leak from a heap that merely grew;
//   - its redis-server child;
//   - the pod processes of the state dir, summed (they churn with every rollout).
// Prints each sample, then start and end RSS with the change in % beside the goal (flat within
// 10%), the same change from the end of --warm-up minutes (the heap's one step up to the commit load), the slope (MB/min, least squares over the second
// half of the samples), the heap left after each major GC and its slope, and a verdict: flat when
// the RSS slope, or else the slope of the heap after major GCs, is under --max-slope MB/min.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeApps } from '../test/e2e/support/baton-process.js';
import { commitValues, podProcesses, setVersion, startShop, stopShop, tail, waitShopHealthy, type Shop } from '../test/load/support/shop.js';
import { NODE_PROCESS_ENV } from '../controller/edges/cli/node-process-env.js';

// baton's processes start with the environment bin/baton.js's first line gives them (glibc's arenas).
Object.assign(process.env, NODE_PROCESS_ENV);

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'commit-every': { type: 'string', default: '4' },
    'sample-every': { type: 'string', default: '10' },
    'max-slope': { type: 'string', default: '1' },
    'warm-up': { type: 'string', default: '5' },
    // Two soaks side by side (an A/B of an environment setting, say) share one build: a second
    // build rewriting dist/ under a running baton up could hand it a half-written module.
    'skip-build': { type: 'boolean', default: false },
  },
});
const positive = (flag: string, text: string) => {
  const n = Number(text);
  if (!(n > 0)) throw new Error(`--${flag}: expected a positive number, got "${text}"`);
  return n;
};
const minutes = positive('minutes', values.minutes);
const commitEveryMs = positive('commit-every', values['commit-every']) * 1000;
const sampleEveryMs = positive('sample-every', values['sample-every']) * 1000;
const maxSlope = positive('max-slope', values['max-slope']);
const warmUpMin = Number(values['warm-up']);
if (!(warmUpMin >= 0)) throw new Error(`--warm-up: expected minutes ≥ 0, got "${values['warm-up']}"`);
/** The goal (issue 18): baton up's RSS at the end within this many percent of its RSS at the start. */
const FLAT_PERCENT = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

interface Sample {
  atMin: number;
  baton: number;
  /** V8 heap in use in baton up (its /metrics), MB; tells a leak (grows) from a heap that only got bigger. */
  heapUsed: number;
  /** V8 heap committed (its /metrics), MB: RSS less this is native memory (malloc, buffers, the node binary). */
  heapTotal: number;
  /** V8 heap committed per space (new, old, code, large_object…), MB: which of them grows. */
  spaces: Record<string, number>;
  redis: number;
  pods: number;
  podCount: number;
}

/** Resident set size of a process in MB, 0 when it is gone. */
async function rssMb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

async function childPid(parent: number, comm: string): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'latin1');
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
      if (m && m[1] === comm && Number(m[2]) === parent) return Number(entry);
    } catch {
      // Gone.
    }
  }
  return undefined;
}

/** baton_nodejs_heap_size_{used,total}_bytes from baton up's /metrics, in MB; 0 when they cannot be read. */
async function heapMb(metricsUrl: string): Promise<{ used: number; total: number; spaces: Record<string, number> }> {
  try {
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
    const mb = (name: string) => Number(new RegExp(`^baton_nodejs_heap_size_${name}_bytes (\\S+)`, 'm').exec(text)?.[1] ?? 0) / 1048576;
    const spaces: Record<string, number> = {};
    for (const m of text.matchAll(/^baton_nodejs_heap_space_size_total_bytes\{space="(\w+)"\} (\S+)/gm)) spaces[m[1]] = Number(m[2]) / 1048576;
    return { used: mb('used'), total: mb('total'), spaces };
  } catch {
    return { used: 0, total: 0, spaces: {} };
  }
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

// Ctrl-C (or SIGTERM) ends the soak early; baton up and its pods are still stopped. Every signal
// is caught, not only the first: `pkill -f soak` reaches this process both directly and through
// its npx and tsx parents, and a second SIGINT left to Node's default would end it before
// `finally` had stopped baton up, leaving the shop and its pods running.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(interrupted ? `${signal}: already ending the soak; stopping baton up` : `${signal}: ending the soak early`);
    interrupted = true;
  });
}

function verdict(rssSlope: number, floorSlope: number | undefined): string {
  if (Math.abs(rssSlope) < maxSlope) return `verdict: FLAT (baton up RSS slope ${rssSlope.toFixed(2)} MB/min < ${maxSlope})`;
  if (floorSlope !== undefined && floorSlope < maxSlope) {
    return `verdict: FLAT HEAP (RSS slope ${rssSlope.toFixed(2)} MB/min follows the GC sawtooth; the heap after major GCs moves ${floorSlope.toFixed(2)} MB/min < ${maxSlope})`;
  }
  return `verdict: GROWING (baton up RSS slope ${rssSlope.toFixed(2)} MB/min${floorSlope === undefined ? '' : `, heap after major GCs ${floorSlope.toFixed(2)} MB/min`} >= ${maxSlope})`;
}

// Measure what `npx baton up` runs: the compiled build (bin/baton.js loads dist/), not the
// TypeScript through tsx, whose loader adds ~85 MiB and its own growth to every figure.
if (!values['skip-build']) {
  log('npm run build');
  execFileSync('npm', ['run', '-s', 'build'], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'inherit' });
}
process.env.BATON_TEST_CLI = 'dist';

const dir = await mkdtemp('/tmp/baton-soak-');
let shop: Shop | undefined;
let exitCode = 1;
try {
  log(`baton up in ${dir}`);
  shop = await startShop(dir);
  await waitShopHealthy(shop);
  if (interrupted) throw new Error('interrupted before the soak began');
  const batonPid = shop.baton.child.pid!;
  const redisPid = await childPid(batonPid, 'redis-server');
  const metricsUrl = new URL('/metrics', await shop.baton.waitFor(/API:\s+(http\S+)/)).href;
  log(`the shop is Healthy; baton up pid ${batonPid}, redis-server pid ${redisPid ?? '(not a child: REDIS_URL?)'}; soaking ${minutes} min, a commit every ${commitEveryMs / 1000} s`);

  const samples: Sample[] = [];
  const started = Date.now();
  const sample = async () => {
    const pods = await podProcesses(dir);
    const podRss = (await Promise.all(pods.map((p) => rssMb(p.pid)))).reduce((a, b) => a + b, 0);
    const heap = await heapMb(metricsUrl);
    const s: Sample = { atMin: (Date.now() - started) / 60_000, baton: await rssMb(batonPid), heapUsed: heap.used, heapTotal: heap.total, spaces: heap.spaces, redis: redisPid ? await rssMb(redisPid) : 0, pods: podRss, podCount: pods.length };
    samples.push(s);
    log(
      `  ${s.atMin.toFixed(1).padStart(5)} min  baton up ${s.baton.toFixed(1)} MB (heap used ${s.heapUsed.toFixed(1)} of ${s.heapTotal.toFixed(1)} MB; outside the heap ${(s.baton - s.heapTotal).toFixed(1)} MB)  redis ${s.redis.toFixed(1)} MB  pods ${s.podCount} processes ${s.pods.toFixed(0)} MB`,
    );
  };
  await sample();

  let commits = 0;
  let nextCommit = Date.now();
  let nextSample = Date.now() + sampleEveryMs;
  const end = started + minutes * 60_000;
  while (Date.now() < end && !interrupted) {
    if (shop.baton.child.exitCode !== null || shop.baton.child.signalCode !== null) throw new Error(`baton up exited:\n${tail(shop)}`);
    if (Date.now() >= nextCommit) {
      commits++;
      const edits: Record<string, (text: string) => string> = commits % 2 ? { users: setVersion(`5.0.${commits}`) } : { shipping: setVersion(`6.0.${commits}`), orders: setVersion(`7.0.${commits}`) };
      await commitValues(shop, edits, `soak: commit ${commits}`);
      nextCommit += commitEveryMs;
    }
    if (Date.now() >= nextSample) {
      await sample();
      nextSample += sampleEveryMs;
    }
    await sleep(Math.max(0, Math.min(nextCommit, nextSample) - Date.now()));
  }
  await sample();

  const secondHalf = samples.filter((s) => s.atMin >= minutes / 2);
  const fit = (pick: (s: Sample) => number) => slope(secondHalf.map((s) => [s.atMin, pick(s)]));
  const first = samples[0];
  const last = samples[samples.length - 1];
  const batonSlope = fit((s) => s.baton);
  const change = (100 * (last.baton - first.baton)) / first.baton;
  // The first sample is taken at Healthy, before any soak commit: the heap then grows to the
  // commit load once. The same change from the first sample after the warm-up shows whether it
  // keeps growing after that step; both are printed.
  const warm = samples.find((s) => s.atMin >= warmUpMin) ?? first;
  const percent = (from: number, to: number) => `${to >= from ? '+' : ''}${((100 * (to - from)) / from).toFixed(1)}%`;
  // The heap after each major collection (its local minima): garbage between collections makes a
  // sawtooth whose least-squares slope depends on where the run ends; a leak raises the floor.
  // A sample whose /metrics did not answer in time (heap 0) is left out rather than read as a collection.
  const heaps = samples.filter((s) => s.heapUsed > 0);
  const floors = heaps.filter((s, i) => i > 0 && i < heaps.length - 1 && s.heapUsed < heaps[i - 1].heapUsed && s.heapUsed <= heaps[i + 1].heapUsed);
  const floorSlope = slope(floors.map((s) => [s.atMin, s.heapUsed]));
  const apps = await shop.state.listApps();
  process.stdout.write(
    [
      '',
      `soak: ${minutes} min, ${commits} commits, ${samples.length} samples`,
      `  baton up (controller + worker + runtime): start ${first.baton.toFixed(1)} MB, end ${last.baton.toFixed(1)} MB (${change >= 0 ? '+' : ''}${change.toFixed(1)}%)   goal: flat within ${FLAT_PERCENT}%   max ${Math.max(...samples.map((s) => s.baton)).toFixed(1)} MB, slope ${batonSlope.toFixed(2)} MB/min (second half)`,
      `  the same after ${warmUpMin} min of warm-up: ${warm.baton.toFixed(1)} MB at ${warm.atMin.toFixed(1)} min, end ${last.baton.toFixed(1)} MB (${percent(warm.baton, last.baton)})`,
      `  baton up V8 heap used: start ${first.heapUsed.toFixed(1)} MB, end ${last.heapUsed.toFixed(1)} MB, slope ${fit((s) => s.heapUsed).toFixed(2)} MB/min (second half)`,
      `  baton up heap after major GCs: ${floors.map((s) => `${s.heapUsed.toFixed(0)} MB at ${s.atMin.toFixed(1)} min`).join(', ') || 'none seen'}; slope ${floorSlope.toFixed(2)} MB/min`,
      // A single sample's RSS depends on where in the GC sawtooth it falls; RSS at the collections does not.
      floors.length >= 2
        ? `  baton up RSS after major GCs: first ${floors[0].baton.toFixed(1)} MB at ${floors[0].atMin.toFixed(1)} min, last ${floors[floors.length - 1].baton.toFixed(1)} MB at ${floors[floors.length - 1].atMin.toFixed(1)} min (${percent(floors[0].baton, floors[floors.length - 1].baton)}); V8 heap committed start ${first.heapTotal.toFixed(1)} MB, end ${last.heapTotal.toFixed(1)} MB`
        : `  baton up RSS after major GCs: too few collections seen`,
      `  baton up V8 spaces committed, start → end: ${Object.keys(last.spaces)
        .filter((space) => (first.spaces[space] ?? 0) > 0.5 || last.spaces[space] > 0.5)
        .map((space) => `${space} ${(first.spaces[space] ?? 0).toFixed(1)} → ${last.spaces[space].toFixed(1)} MB`)
        .join(', ')}`,
      `  redis-server: start ${first.redis.toFixed(1)} MB, end ${last.redis.toFixed(1)} MB, slope ${fit((s) => s.redis).toFixed(2)} MB/min`,
      `  pod processes: start ${first.podCount} / ${first.pods.toFixed(0)} MB, end ${last.podCount} / ${last.pods.toFixed(0)} MB, slope ${fit((s) => s.pods).toFixed(2)} MB/min`,
      `  apps at the end:\n    ${describeApps(apps).split('\n').join('\n    ')}`,
      verdict(batonSlope, floors.length >= 2 ? floorSlope : undefined),
      '',
    ].join('\n'),
  );
  exitCode = Math.abs(batonSlope) < maxSlope || (floors.length >= 2 && floorSlope < maxSlope) ? 0 : 1;
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  if (shop) log(tail(shop, 40));
} finally {
  if (shop) {
    const left = await stopShop(shop);
    log(left.length ? `pod processes left after stopping baton up (killed): ${left.join(' ')}` : 'baton up stopped; no pod process left');
  }
  await rm(dir, { recursive: true, force: true });
}
process.exit(exitCode);
