import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readProcStat } from '../../../runtime/kubelet/proc-stat.js';
import type { AppStatus } from '../../../controller/state/app-status.js';
import type { StateStore } from '../../../controller/state/state-store.js';
import { git } from '../../support/git-http-server.js';
import { describeApps, kubectl, startBaton, stateOf, type BatonProcess } from '../../e2e/support/baton-process.js';
import { waitFor } from '../../support/wait.js';

/** A `baton up` on the examples repository (the 15-service shop), for load runs. */
export interface Shop {
  baton: BatonProcess;
  stateDir: string;
  kubeconfig: string;
  /** The Git repository `baton up` syncs; commit here to deploy. */
  repo: string;
  ingress: { host: string; port: number };
  state: StateStore;
}

export const SHOP_APPS = 15;
export const NAMESPACE = 'shop';

export async function startShop(stateDir: string, extraArgs: string[] = []): Promise<Shop> {
  const baton = startBaton(['up', '--default-runtime-class', 'process', '--state-dir', stateDir, '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--interval', '1s', '--stop-pods', ...extraArgs]);
  try {
    const kubeconfig = await baton.waitFor(/kubeconfig:\s+(\S+)/, 180_000);
    const repo = await baton.waitFor(/repository:\s+(\S+)/);
    const ingress = new URL(await baton.waitFor(/ingress:\s+(http\S+)/));
    return { baton, stateDir, kubeconfig, repo, ingress: { host: ingress.hostname, port: Number(ingress.port) }, state: stateOf(stateDir) };
  } catch (err) {
    await baton.stop();
    throw err;
  }
}

/** Stops `baton up` with its pods; returns the pids of pod processes of this state dir still alive afterwards (killed). */
export async function stopShop(shop: Shop): Promise<number[]> {
  await shop.state.close().catch(() => undefined);
  await shop.baton.stop();
  const left = await podProcesses(shop.stateDir);
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  return left.map((p) => p.pid);
}

export function tail(shop: Shop, lines = 30): string {
  return shop.baton.output().split('\n').slice(-lines).join('\n');
}

export async function waitShopHealthy(shop: Shop, timeoutMs = 900_000): Promise<AppStatus[]> {
  return waitFor(
    `all ${SHOP_APPS} apps Synced and Healthy`,
    async () => {
      const list = await shop.state.listApps();
      return list.length === SHOP_APPS && list.every((a) => a.syncStatus === 'Synced' && a.health === 'Healthy') && list;
    },
    { timeoutMs, intervalMs: 250, describe: async () => `${describeApps(await shop.state.listApps())}\n${await podsAndEvents(shop)}\n${tail(shop)}` },
  );
}

/** The shop's pods and its newest events as kubectl prints them, for a failure's description. */
async function podsAndEvents(shop: Shop): Promise<string> {
  const run = (...args: string[]) => kubectl(shop.kubeconfig, ...args).catch((err: Error) => `kubectl ${args.join(' ')}: ${err.message}`);
  const events = (await run('get', 'events', '-n', NAMESPACE, '--sort-by=.lastTimestamp')).split('\n').slice(-40).join('\n');
  return `${await run('get', 'pods', '-n', NAMESPACE, '-o', 'wide')}\n${events}`;
}

/** Rewrites `environments/prod/<app>.yaml` with `edit` and commits it; returns the commit id. */
export async function commitValues(shop: Shop, edits: Record<string, (text: string) => string>, message: string): Promise<string> {
  for (const [app, edit] of Object.entries(edits)) {
    const file = join(shop.repo, 'environments/prod', `${app}.yaml`);
    await writeFile(file, edit(await readFile(file, 'utf8')));
  }
  await git(shop.repo, 'commit', '-qam', message);
  return git(shop.repo, 'rev-parse', 'HEAD');
}

/** A values edit that sets the app's version (a rolling update of every pod). */
export const setVersion = (version: string) => (text: string) => text.replace(/^version: .*$/m, `version: "${version}"`);

/**
 * A values edit that makes a release which never gets ready (the shop server's
 * SIMULATE_FAILURE knob) with a short Deployment progress deadline, so the
 * health gate sees ProgressDeadlineExceeded soon and rolls back.
 */
export const neverReady = (version: string, deadlineSeconds = 20) => (text: string) =>
  `${setVersion(version)(text).trimEnd()}\nprogressDeadlineSeconds: ${deadlineSeconds}\nenv:\n  SIMULATE_FAILURE: readiness\n`;

/** Undoes `neverReady`'s additions and sets `version`. */
export const healthy = (version: string) => (text: string) =>
  setVersion(version)(text.replace(/\nprogressDeadlineSeconds: \d+\nenv:\n {2}SIMULATE_FAILURE: readiness\n/, '\n'));

export async function waitSynced(shop: Shop, app: string, commit: string, timeoutMs = 300_000): Promise<AppStatus> {
  return waitFor(
    `${app} Synced and Healthy at ${commit.slice(0, 7)}`,
    async () => {
      const s = await shop.state.getApp(app);
      return s?.revision === commit && s.syncStatus === 'Synced' && s.health === 'Healthy' && s;
    },
    { timeoutMs, intervalMs: 250, describe: async () => `${describeApps(await shop.state.listApps())}\n${tail(shop)}` },
  );
}

export async function waitRolledBack(shop: Shop, app: string, commit: string, timeoutMs = 300_000): Promise<AppStatus> {
  return waitFor(
    `${app} rolled back from ${commit.slice(0, 7)}`,
    async () => {
      const s = await shop.state.getApp(app);
      return s?.lastFailedRevision === commit && s;
    },
    { timeoutMs, intervalMs: 250, describe: async () => `${describeApps(await shop.state.listApps())}\n${tail(shop)}` },
  );
}

export interface PodInfo {
  name: string;
  app: string;
  ready: boolean;
  terminating: boolean;
  restarts: number;
}

export async function listPods(shop: Shop, app?: string): Promise<PodInfo[]> {
  const selector = app ? ['-l', `app.kubernetes.io/name=${app}`] : [];
  const list = JSON.parse(await kubectl(shop.kubeconfig, 'get', 'pods', '-n', NAMESPACE, ...selector, '-o', 'json')) as { items: any[] };
  return list.items.map((p) => ({
    name: p.metadata.name,
    app: p.metadata.labels?.['app.kubernetes.io/name'] ?? '',
    ready: (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
    terminating: Boolean(p.metadata.deletionTimestamp),
    restarts: (p.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0),
  }));
}

/** Waits until `app` has exactly `count` pods, all Ready and none terminating. */
export async function waitAppPodsReady(shop: Shop, app: string, count: number, timeoutMs = 180_000): Promise<PodInfo[]> {
  return waitFor(
    `${count} Ready pods of ${app}`,
    async () => {
      const pods = await listPods(shop, app);
      return pods.length === count && pods.every((p) => p.ready && !p.terminating) && pods;
    },
    { timeoutMs, intervalMs: 250, describe: async () => JSON.stringify(await listPods(shop, app)) },
  );
}

/** Pod name → pid of its container's process-group leader, as the kubelet records it in the state dir. */
export async function podPids(stateDir: string, namespace = NAMESPACE): Promise<Map<string, number>> {
  const root = join(stateDir, 'node', 'pods');
  const pids = new Map<string, number>();
  for (const uid of await readdir(root).catch(() => [] as string[])) {
    try {
      const record = JSON.parse(await readFile(join(root, uid, 'state.json'), 'utf8'));
      if (record.namespace !== namespace) continue;
      for (const container of Object.values(record.containers) as { current?: { pid: number } }[]) {
        if (container.current?.pid) pids.set(record.name, container.current.pid);
      }
    } catch {
      // Being written or removed right now.
    }
  }
  return pids;
}

/**
 * Live pod processes (they carry POD_NAMESPACE) of the runtime at `stateDir`: those in the process
 * group of a container wrapper (titled `baton-container <exit file>`, its exit file in the state
 * dir). A process pod's working directory is inside its own sandbox, so it no longer tells.
 */
export async function podProcesses(stateDir: string): Promise<Array<{ pid: number; pod: string }>> {
  const wrappers = new Set<number>();
  const candidates: Array<{ pid: number; pgrp: number; pod: string }> = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The sandbox zygote titles each wrapper `baton-container <exit file>`.
      if ((await readFile(`/proc/${entry}/cmdline`, 'latin1')).startsWith(`baton-container ${stateDir}`)) wrappers.add(Number(entry));
      const env = `\0${await readFile(`/proc/${entry}/environ`, 'latin1')}`;
      if (!env.includes('\0POD_NAMESPACE=')) continue;
      const stat = readProcStat(Number(entry));
      if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
      candidates.push({ pid: Number(entry), pgrp: stat.pgrp, pod: /\0POD_NAME=([^\0]*)/.exec(env)?.[1] ?? '' });
    } catch {
      // Not ours to read, or gone.
    }
  }
  return candidates.filter((p) => wrappers.has(p.pgrp)).map(({ pid, pod }) => ({ pid, pod }));
}
