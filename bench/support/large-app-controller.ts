// The controller and sync worker of bench/controller.ts part 4 in a process of their own, run
// compiled (dist/) as `baton up` runs them, so its peak RSS is theirs and not tsx's loader:
//   large-app-controller.js <repo> <redisUrl> <stateDir>
// follows the repository until its app `big` is Synced at HEAD, then prints one JSON line:
// { seconds, peakRssMiB, cpuSeconds } (seconds and CPU from the controller's start).
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { RepositorySpec } from '../../controller/apps/app-spec.js';
import { AppController } from '../../controller/plan/app-controller.js';
import { repoId } from '../../controller/source/normalize-url.js';
import { StateStore } from '../../controller/state/state-store.js';
import { startSyncWorker } from '../../controller/sync/start-sync-worker.js';

const [repo, redisUrl, stateDir] = process.argv.slice(2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
const state = new StateStore({ redisUrl, secretsKeyDir: stateDir });
const spec: RepositorySpec = { id: repoId(repo), url: repo, intervalSeconds: 1 };
const controller = new AppController({ stateDir, redisUrl, repositories: [spec], driftCheckMs: 0 });
const worker = await startSyncWorker({ stateDir, redisUrl, log: process.env.BENCH_DEBUG ? (line) => console.error(new Date().toISOString(), line) : undefined });
try {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await controller.start();
  for (;;) {
    const status = await state.getApp('big');
    if (status?.revision === head && status.syncStatus === 'Synced') break;
    if (status?.lastFailedRevision === head) throw new Error(`the sync failed: ${status.message}`);
    await sleep(100);
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const peakRssMiB = Number(/VmHWM:\s+(\d+) kB/.exec(await readFile('/proc/self/status', 'utf8'))![1]) / 1024;
  console.log(JSON.stringify({ seconds, peakRssMiB, cpuSeconds }));
} finally {
  await worker.close(true);
  await controller.close();
  await state.close();
}
