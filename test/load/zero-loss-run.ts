import { describeReport, LoadGenerator, type Failure, type LoadReport } from './support/load-generator.js';
import {
  commitValues,
  healthy,
  listPods,
  neverReady,
  podPids,
  waitAppPodsReady,
  waitRolledBack,
  waitSynced,
  type Shop,
} from './support/shop.js';
import { kubectl } from '../e2e/support/baton-process.js';

export interface ZeroLossOptions {
  /**
   * Keep cycling through the events until at least this many requests were sent.
   * @defaultValue 50000
   */
  requests: number;
  /** @defaultValue 200 */
  rate: number;
  /** @defaultValue 8 */
  connections: number;
  /** Also SIGKILL pod processes. @defaultValue false */
  kill: boolean;
  /**
   * `full`: rolling updates of catalog, gateway, pricing and inventory, a catalog release that never
   * gets ready (rolled back), graceful deletes of a gateway and a catalog pod (and the SIGKILLs).
   * `short`: one catalog rolling update and one graceful delete of a gateway pod.
   * @defaultValue 'full'
   */
  cycle?: 'full' | 'short';
  /** Progress lines go here. */
  log: (line: string) => void;
  /** Aborting it ends the run after the current event. */
  signal?: AbortSignal;
}

/** Something the driver did to the shop while the load ran. */
export interface LoadEvent {
  kind: 'rollout' | 'rollback' | 'delete' | 'kill';
  what: string;
  startMs: number;
  endMs: number;
  /** Failures that ended while the event ran. */
  failures: number;
}

export interface KillRecord {
  pod: string;
  atMs: number;
  /** When the pod was Ready again. */
  backMs: number;
  /** Client requests to the ingress open at the instant of the kill. */
  inFlight: number;
  /** Failed requests that had started before the kill and ended after it. */
  failedInFlight: number;
  /** Failed requests that started after the kill (should be none: they could have gone elsewhere). */
  failedAfter: number;
}

export interface ZeroLossResult {
  report: LoadReport;
  events: LoadEvent[];
  kills: KillRecord[];
  /** Why the driver stopped early, if it did (a rollout that never finished…). */
  error?: Error;
}

/** The paths asked of the shop's gateway through the ingress: half go on to catalog (→ pricing, inventory), half are the gateway's own. */
export const SHOP_PATHS = ['/api/products', '/version', '/api/products/tea-sencha', '/version'];

/**
 * Runs load against the shop's ingress (Host shop.localhost → gateway →
 * catalog → pricing/inventory) while committing rolling updates, a release
 * that never gets ready (rolled back by the health gate), graceful pod
 * deletions and, with `kill`, SIGKILLs of pod processes; cycles until
 * `requests` were sent, then finishes the cycle.
 */
export async function runZeroLoss(shop: Shop, options: ZeroLossOptions): Promise<ZeroLossResult> {
  const { log } = options;
  let shown = 0;
  const load: LoadGenerator = new LoadGenerator({
    ...shop.ingress,
    hostHeader: 'shop.localhost',
    paths: SHOP_PATHS,
    rate: options.rate,
    connections: options.connections,
    onFailure: (f) => {
      if (++shown <= 50) log(`${stamp()}   failed: ${f.path} after ${(f.endMs - f.startMs).toFixed(0)} ms: ${f.reason}`);
    },
  });
  const events: LoadEvent[] = [];
  const kills: KillRecord[] = [];
  const stamp = () => `[${(load.now() / 1000).toFixed(0).padStart(4)} s, ${String(load.sent).padStart(6)} sent, ${load.failed} failed]`;

  const event = async (kind: LoadEvent['kind'], what: string, run: () => Promise<unknown>) => {
    const startMs = load.now();
    const failedBefore = load.failed;
    log(`${stamp()} ${kind}: ${what}`);
    await run();
    const e: LoadEvent = { kind, what, startMs, endMs: load.now(), failures: load.failed - failedBefore };
    events.push(e);
    log(`${stamp()}   done in ${((e.endMs - e.startMs) / 1000).toFixed(1)} s${e.failures ? `, ${e.failures} requests failed meanwhile` : ''}`);
  };

  const rollout = async (apps: Record<string, string>) => {
    const names = Object.keys(apps);
    const edits = Object.fromEntries(Object.entries(apps).map(([app, version]) => [app, healthy(version)]));
    await event('rollout', names.map((n) => `${n} ${apps[n]}`).join(', '), async () => {
      const commit = await commitValues(shop, edits, `load: roll ${names.join(', ')}`);
      for (const app of names) await waitSynced(shop, app, commit);
    });
  };

  const gracefulDelete = async (app: string, replicas: number) => {
    const [victim] = await waitAppPodsReady(shop, app, replicas);
    await event('delete', `kubectl delete pod ${victim.name}`, async () => {
      await kubectl(shop.kubeconfig, 'delete', 'pod', '-n', 'shop', victim.name);
      await waitAppPodsReady(shop, app, replicas);
    });
  };

  const sigkill = async (app: string, replicas: number) => {
    const pods = await waitAppPodsReady(shop, app, replicas);
    const victim = pods[Math.floor(Math.random() * pods.length)];
    const pid = (await podPids(shop.stateDir)).get(victim.name);
    if (!pid) throw new Error(`no process recorded for pod ${victim.name}`);
    await event('kill', `SIGKILL ${victim.name} (pid ${pid})`, async () => {
      const atMs = load.now();
      const inFlight = load.inFlightStarts().length;
      process.kill(-pid, 'SIGKILL');
      // Back in service: the kubelet restarted the container and it passed readiness again.
      await waitAppPodsReady(shop, app, replicas);
      const restarted = (await listPods(shop, app)).find((p) => p.name === victim.name);
      if (!restarted || restarted.restarts === 0) throw new Error(`pod ${victim.name} was not restarted after SIGKILL`);
      kills.push({ pod: victim.name, atMs, backMs: load.now(), inFlight, failedInFlight: 0, failedAfter: 0 });
    });
  };

  let error: Error | undefined;
  try {
    // At least one whole cycle, then more until enough requests were sent.
    for (let cycle = 1; cycle === 1 || (load.sent < options.requests && !options.signal?.aborted); cycle++) {
      log(`${stamp()} cycle ${cycle}`);
      await rollout({ catalog: `1.5.${cycle}` });
      if (options.cycle === 'short') {
        await gracefulDelete('gateway', 2);
        continue;
      }
      await rollout({ gateway: `2.4.${cycle}` });
      await rollout({ pricing: `3.1.${cycle}`, inventory: `3.2.${cycle}` });
      await event('rollback', `catalog 9.9.${cycle} never gets ready; the health gate rolls it back`, async () => {
        const bad = await commitValues(shop, { catalog: neverReady(`9.9.${cycle}`) }, `load: catalog 9.9.${cycle} never ready`);
        await waitRolledBack(shop, 'catalog', bad);
        await waitAppPodsReady(shop, 'catalog', 2);
      });
      await rollout({ catalog: `1.6.${cycle}` });
      await gracefulDelete('gateway', 2);
      await gracefulDelete('catalog', 2);
      if (options.kill) {
        await sigkill('gateway', 2);
        await sigkill('catalog', 2);
        await sigkill('gateway', 2);
      }
    }
  } catch (err) {
    error = err as Error;
    log(`${stamp()} the driver failed: ${error.message}`);
  }
  const report = await load.stop();
  for (const k of kills) attribute(k, report.failures);
  return { report, events, kills, ...(error ? { error } : {}) };
}

/** Counts the failures a kill may have caused: in flight at its instant, or started before its pod was back. */
function attribute(kill: KillRecord, failures: readonly Failure[]): void {
  for (const f of failures) {
    if (f.startMs <= kill.atMs && f.endMs >= kill.atMs) kill.failedInFlight++;
    else if (f.startMs > kill.atMs && f.startMs < kill.backMs) kill.failedAfter++;
  }
}

export function describeResult(what: string, r: ZeroLossResult): string {
  const lines = [describeReport(what, r.report), '  events:'];
  for (const e of r.events) {
    lines.push(`    ${(e.startMs / 1000).toFixed(0).padStart(4)} s +${((e.endMs - e.startMs) / 1000).toFixed(0).padStart(3)} s  ${e.kind.padEnd(8)} ${e.what}${e.failures ? `  (${e.failures} failed)` : ''}`);
  }
  if (r.kills.length) {
    lines.push('  SIGKILLs (failed requests per kill):');
    for (const k of r.kills) {
      lines.push(`    ${(k.atMs / 1000).toFixed(0).padStart(4)} s  ${k.pod}: ${k.inFlight} client requests in flight, ${k.failedInFlight} of those in flight failed, ${k.failedAfter} started after the kill failed`);
    }
  }
  if (r.error) lines.push(`  the driver stopped early: ${r.error.message.split('\n').slice(0, 12).join('\n    ')}`);
  if (r.report.failures.length) {
    lines.push('  first failures:');
    for (const f of r.report.failures.slice(0, 15)) lines.push(`    ${(f.startMs / 1000).toFixed(2)}–${(f.endMs / 1000).toFixed(2)} s ${f.path}: ${f.reason}`);
  }
  return lines.join('\n');
}
