import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from '../../runtime-api/runtime-process.js';
import { waitFor } from '../../support/wait.js';

export { kubectl, kubectlOk, type RuntimeProcess };

/** `baton runtime` as a child process on a free port; kubectl talks to it through DIR/kubeconfig only. */
export async function startE2eRuntime(stateDir?: string): Promise<RuntimeProcess> {
  return startRuntimeProcess(stateDir);
}

/** A process of this test's pods, found by the E2E_MARK in its environment. */
export interface MarkedProcess {
  pid: number;
  podIP: string;
  version: string;
}

/** Every live process whose environment carries E2E_MARK=<marker> (the pods' `sh` wrappers and their servers). */
export async function markedProcesses(marker: string): Promise<MarkedProcess[]> {
  const needle = `\0E2E_MARK=${marker}\0`;
  const found: MarkedProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let env: string;
    try {
      env = `\0${await readFile(`/proc/${entry}/environ`, 'latin1')}`;
      // A zombie still lists its environment; it is not running.
      if (/^\d+ \(.*\) Z /.test(await readFile(`/proc/${entry}/stat`, 'latin1'))) continue;
    } catch {
      continue;
    }
    if (!env.includes(needle)) continue;
    const get = (name: string) => new RegExp(`\0${name}=([^\0]*)`).exec(env)?.[1] ?? '';
    found.push({ pid: Number(entry), podIP: get('POD_IP'), version: get('VERSION') });
  }
  return found;
}

/** The container processes the kubelet records in its state dir: pod name → pid of the container's process-group leader. */
export async function kubeletPids(stateDir: string, namespace: string): Promise<Map<string, number>> {
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

export interface PodSummary {
  name: string;
  ip: string;
  ready: boolean;
  terminating: boolean;
  restarts: number;
}

export async function listPods(rt: RuntimeProcess, namespace: string, selector: string): Promise<PodSummary[]> {
  const list = JSON.parse(await kubectlOk(rt.kubeconfig, ['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json']));
  return list.items.map((p: any) => ({
    name: p.metadata.name,
    ip: p.status?.podIP ?? '',
    ready: (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
    terminating: Boolean(p.metadata.deletionTimestamp),
    restarts: (p.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0),
  }));
}

/** Waits until exactly `count` pods match, none terminating, all Ready. */
export async function waitAllReady(rt: RuntimeProcess, namespace: string, selector: string, count: number, timeoutMs = 180_000): Promise<PodSummary[]> {
  return waitFor(
    `${count} Ready pods ${selector} in ${namespace}`,
    async () => {
      const pods = await listPods(rt, namespace, selector);
      return pods.length === count && pods.every((p) => p.ready && !p.terminating) ? pods : false;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

/** `clusterIP:port` of a Service, from kubectl. */
export async function serviceAddress(rt: RuntimeProcess, namespace: string, name: string): Promise<{ host: string; port: number }> {
  const text = await kubectlOk(rt.kubeconfig, ['get', 'service', name, '-n', namespace, '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].port}']);
  const [host, port] = text.trim().split(' ');
  return { host, port: Number(port) };
}

/**
 * Leaves nothing running: deletes the namespace through kubectl and waits for
 * the kubelet to end its pods, stops the runtime, then SIGKILLs (by pid) any
 * process still carrying the marker so a failed test cannot leak pods.
 * Returns how many processes needed that last resort.
 */
export async function cleanUp(rt: RuntimeProcess | undefined, namespace: string, marker: string, removeState = true): Promise<number> {
  if (rt && rt.child.exitCode === null && rt.child.signalCode === null) {
    await kubectl(rt.kubeconfig, ['delete', 'namespace', namespace, '--wait=false']);
    await waitFor('the pods to end', async () => (await markedProcesses(marker)).length === 0, { timeoutMs: 60_000, intervalMs: 500 }).catch(() => undefined);
    await rt.stop();
  }
  const leftovers = await markedProcesses(marker);
  for (const p of leftovers) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  if (rt && removeState) await removeDir(rt.stateDir);
  return leftovers.length;
}
