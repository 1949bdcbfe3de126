import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StateStore } from '../../../controller/state/state-store.js';
import type { AppStatus } from '../../../controller/state/app-status.js';
import { batonArgv, repoRoot } from '../../support/baton-cli.js';
import { sleep } from '../../support/wait.js';

const execFileAsync = promisify(execFile);

/** A `baton …` child process (see batonArgv), its output kept for assertions and failure messages. */
export interface BatonProcess {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first stdout line matching `pattern`'s first group, waiting for it. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGINT (as Ctrl-C), then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

export function startBaton(args: string[], env: NodeJS.ProcessEnv = {}): BatonProcess {
  const child = spawn(process.execPath, batonArgv(args), {
    cwd: repoRoot,
    env: { ...process.env, REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (text += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (text += c));
  const exited = once(child, 'exit');
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    output: () => text,
    async waitFor(pattern, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = pattern.exec(text);
        if (m) return m[1] ?? m[0];
        if (gone()) throw new Error(`baton ${args[0]} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${text}`);
        if (Date.now() > deadline) throw new Error(`baton ${args[0]} did not print ${pattern} in ${timeoutMs} ms:\n${text}`);
        await sleep(100);
      }
    },
    async stop(graceMs = 60_000) {
      if (gone()) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (gone()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The state store of a `baton up` on `stateDir`, through its private Redis. */
export function stateOf(stateDir: string): StateStore {
  return new StateStore({ redisUrl: `redis+unix://${join(stateDir, 'redis.sock')}` });
}

export function describeApps(apps: AppStatus[]): string {
  return apps.map((a) => `${a.name}: ${a.syncStatus}/${a.health} ${a.revision?.slice(0, 7) ?? '-'} ${a.message.split('\n')[0]}`).join('\n');
}

/** Real kubectl against a kubeconfig; returns stdout. */
export async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('kubectl', ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** `clusterIP:port` of a Service. */
export async function serviceAddress(kubeconfig: string, namespace: string, name: string): Promise<string> {
  return kubectl(kubeconfig, 'get', 'service', name, '-n', namespace, '-o', 'jsonpath={.spec.clusterIP}:{.spec.ports[0].port}');
}

/** GET a URL and parse JSON, failing on a non-2xx answer. */
export async function getJson(url: string): Promise<any> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}: ${text}`);
  return JSON.parse(text);
}
