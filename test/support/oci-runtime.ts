import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { startRuntime, type RunningRuntime } from '../../runtime/runtime-server.js';
import { waitFor } from './wait.js';

/**
 * A /24 of 10.248.0.0/16 that no route of the machine covers yet (tests run in
 * parallel, each with its own bridge). Not in 10.244.0.0/16: a runtime started
 * without --pod-cidr (a `baton up` test, say) takes that whole range.
 */
export function uniquePodCidr(): string {
  const routes = execFileSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' });
  for (let tries = 0; tries < 200; tries++) {
    const third = 100 + Math.floor(Math.random() * 150);
    if (!routes.includes(`10.248.${third}.`)) return `10.248.${third}.0/24`;
  }
  throw new Error('no free /24 left in 10.248.0.0/16');
}

/** A /24 of 10.96.0.0/12 for a test runtime's Services that no route of the machine covers yet. */
export function uniqueServiceCidr(): string {
  const routes = execFileSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' });
  for (let tries = 0; tries < 200; tries++) {
    const cidr = `10.${100 + Math.floor(Math.random() * 12)}.${Math.floor(Math.random() * 256)}.0`;
    if (!routes.includes(cidr.slice(0, -1))) return `${cidr}/24`;
  }
  throw new Error('no free /24 left in 10.100.0.0/14');
}

export interface OciRuntime {
  dir: string;
  runtime: RunningRuntime;
  namespace: string;
  podCidr: string;
  serviceCidr: string;
  createPod(name: string, spec: Record<string, unknown>, labels?: Record<string, string>): Promise<KubeObject>;
  waitForPod(name: string, what: string, ok: (pod: KubeObject) => boolean, timeoutMs?: number): Promise<KubeObject>;
  /** Waits until Service `name` of this runtime's namespace has exactly `count` ready endpoints and the kernel rules carry them; their IPs. */
  waitForEndpoints(name: string, count: number): Promise<string[]>;
  logs(name: string, container?: string): Promise<string>;
  /**
   * The lines a pod's container printed before a line `DONE` (test pods end
   * their script with `echo DONE; sleep …`), waiting up to a minute for it.
   */
  linesUntilDone(name: string, options?: { namespace?: string; container?: string }): Promise<string[]>;
  /** Stops the runtime leaving its pods running, and starts it again on the same state dir (as a crash-free restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

/**
 * The built-in runtime in this process with image pods as the default, its
 * own bridge on a fresh /24, Services in the kernel on another fresh /24,
 * registries.yaml as given, and never a fall-back to a public registry;
 * `allowPrivileged` as the runtime's --allow-privileged.
 * close() deletes every pod and removes the bridge, table and routes.
 */
export async function startOciRuntime(options: { registriesYaml?: string; dnsUpstreams?: string[]; metricResolutionMs?: number; allowPrivileged?: boolean } = {}): Promise<OciRuntime> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-oci-'));
  if (options.registriesYaml) await writeFile(join(dir, 'registries.yaml'), options.registriesYaml);
  let runtime: RunningRuntime | undefined;
  let podCidr = '';
  let serviceCidr = '';
  const start = () =>
    startRuntime({
      stateDir: dir,
      port: 0,
      ingress: false,
      // Names outside the cluster go nowhere: no test query may leave the machine for its real resolvers.
      dnsUpstreams: options.dnsUpstreams ?? ['127.0.0.1:9'],
      metricResolutionMs: options.metricResolutionMs,
      node: { defaultRuntimeClass: 'oci', podCidr, serviceCidr, disableDefaultRegistryEndpoint: true, resyncMs: 2000, allowPrivileged: options.allowPrivileged },
    });
  for (let tries = 0; !runtime; tries++) {
    podCidr = uniquePodCidr();
    serviceCidr = uniqueServiceCidr();
    try {
      runtime = await start();
    } catch (err) {
      // Another test's bridge took the same /24 between the check and the start.
      if (tries > 5 || !/overlaps/.test((err as Error).message)) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
  const namespace = `oci-${process.pid}-${++counter}`;
  await runtime.cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const rt: OciRuntime = {
    dir,
    runtime,
    namespace,
    podCidr,
    serviceCidr,
    createPod: (name, spec, labels) => rt.runtime.cluster.create(resources.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec }),
    async waitForPod(name, what, ok, timeoutMs = 60_000) {
      let last: KubeObject | undefined;
      return waitFor(
        `pod ${name} ${what}`,
        async () => {
          last = await rt.runtime.cluster.get(resources.pods, namespace, name);
          return ok(last) && last;
        },
        { timeoutMs, intervalMs: 200, describe: () => `last status: ${JSON.stringify(last?.status, null, 1)}` },
      );
    },
    async waitForEndpoints(name, count) {
      let last: unknown;
      const ips = await waitFor(
        `Service ${name} with ${count} ready endpoints`,
        async () => {
          last = await rt.runtime.cluster.get(resources.endpoints, namespace, name);
          const found: string[] = ((last as any).subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip as string));
          return found.length === count && found;
        },
        { timeoutMs: 60_000, intervalMs: 100, describe: () => `last Endpoints: ${JSON.stringify(last)}` },
      );
      await rt.runtime.servicesSettled();
      return ips;
    },
    async logs(name, container) {
      return kubectl(runtime!.kubeconfigPath, ['logs', '-n', namespace, name, ...(container ? ['-c', container] : [])]);
    },
    async linesUntilDone(name, options = {}) {
      const args = ['logs', '-n', options.namespace ?? namespace, name, ...(options.container ? ['-c', options.container] : [])];
      let lines: string[] = [];
      return waitFor(
        `${name} to print DONE`,
        async () => {
          lines = (await kubectl(runtime!.kubeconfigPath, args).catch(() => '')).split('\n').map((l) => l.trim()).filter(Boolean);
          const done = lines.indexOf('DONE');
          return done >= 0 && lines.slice(0, done);
        },
        { timeoutMs: 60_000, intervalMs: 300, describe: () => `it printed: ${lines.join(' | ')}` },
      );
    },
    async restart() {
      await runtime!.close();
      runtime = await start();
      rt.runtime = runtime;
    },
    async close() {
      await runtime!.close({ stopPods: true });
      await rm(dir, { recursive: true, force: true });
    },
  };
  return rt;
}

/** Runs the real kubectl against the runtime; resolves with stdout, rejects with stderr. */
export function kubectl(kubeconfig: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}
