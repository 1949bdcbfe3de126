// One process of bench/controller.ts part 3, so its memory is the controller's alone:
//   idle-controller.ts bare                      loads what the controller loads, then idles (the anchor);
//   idle-controller.ts <repo> <redisUrl> <state>  follows the repository (polled every 1 s) until its
//                                                 first plan is done, then idles.
// With DRIFT_CHECK_MS set (> 0), drift checks run that often, as `baton up` runs them (every 30 s by
// default): the apps must have been synced to `<state>/kubeconfig`'s cluster beforehand, and the figures
// are taken after DRIFT_WARMUP_MS (default 2.5 × DRIFT_CHECK_MS), once the first checks read every app's
// live objects (which loads @kubernetes/client-node).
// It samples its memory every 250 ms for `IDLE_MS` (default 20 s) of idling, then prints one JSON line:
// { rssMiB, rssMaxMiB, heapMiB, cpuPercent, clientNodeLoaded }: the median RSS and heap used over the window
// (one reading lands anywhere on the GC's sawtooth: a drift check's garbage alone swings it by ~30 MiB), and the highest RSS.
import type { RepositorySpec } from '../../controller/apps/app-spec.js';
import { AppController } from '../../controller/plan/app-controller.js';
import { repoId } from '../../controller/source/normalize-url.js';

const [repo, redisUrl, stateDir] = process.argv.slice(2);
const idleMs = Number(process.env.IDLE_MS ?? 20_000);
const driftCheckMs = Number(process.env.DRIFT_CHECK_MS ?? 0);
const warmupMs = Number(process.env.DRIFT_WARMUP_MS ?? 2.5 * driftCheckMs);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let controller: AppController | undefined;
if (repo !== 'bare') {
  const spec: RepositorySpec = { id: repoId(repo), url: repo, intervalSeconds: 1 };
  controller = new AppController({ stateDir, redisUrl, repositories: [spec], driftCheckMs });
  let seen = false;
  controller.poller.on('revision', () => (seen = true));
  await controller.start();
  while (!seen) await sleep(20);
  await sleep(10);
  await controller.idle();
  if (driftCheckMs > 0) await sleep(warmupMs);
}
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
const rssSamples: number[] = [];
const heapSamples: number[] = [];
while (performance.now() - wall0 < idleMs) {
  await sleep(250);
  const { rss, heapUsed } = process.memoryUsage();
  rssSamples.push(rss / 2 ** 20);
  heapSamples.push(heapUsed / 2 ** 20);
}
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - wall0;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const figures = { rssMiB: median(rssSamples), rssMaxMiB: Math.max(...rssSamples), heapMiB: median(heapSamples), cpuPercent: (100 * (cpu.user + cpu.system)) / 1000 / wall };
console.log(JSON.stringify({ ...figures, clientNodeLoaded: await clientNodeLoaded() }));

/** Whether client-node's code was loaded, from the scripts V8 holds (asked after measuring: the debugger costs memory). */
async function clientNodeLoaded(): Promise<boolean> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  let loaded = false;
  session.on('Debugger.scriptParsed', ({ params }) => (loaded ||= /client-node|kube-client/.test(params.url)));
  await new Promise((resolve) => session.post('Debugger.enable', resolve));
  session.disconnect();
  return loaded;
}
await controller?.close();
