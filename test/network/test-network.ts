import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NetworkError, startPodNetwork, type PodNetwork, type PodNetworkOptions } from '../../runtime/network/index.js';

const exec = promisify(execFile);

export async function run(command: string, args: string[]): Promise<string> {
  return (await exec(command, args, { timeout: 30_000 })).stdout;
}

/** Exit status of a command that may fail; its output with it. */
export async function status(command: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await exec(command, args, { timeout: 30_000 });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string; signal?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}${e.signal ?? ''}` };
  }
}

/**
 * A network on a fresh state dir and a /24 of 10.248.100-250 of its own (outside the
 * default 10.244.0.0/16 a runtime without --pod-cidr takes whole): test
 * files run in parallel, and a range another file holds is refused as an overlap.
 */
export async function startTestNetwork(extra: Partial<PodNetworkOptions> = {}): Promise<{ net: PodNetwork; stateDir: string }> {
  const stateDir = await mkdtemp(join(tmpdir(), 'baton-net-'));
  for (let tries = 0; ; tries++) {
    const podCidr = `10.248.${100 + Math.floor(Math.random() * 151)}.0/24`;
    try {
      return { net: await startPodNetwork({ stateDir, podCidr, ...extra }), stateDir };
    } catch (err) {
      if (!(err instanceof NetworkError && err.code === 'CIDR_OVERLAP') || tries >= 20) {
        await rm(stateDir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}

/** Where the kernel sends a packet for `address`, from the host or from inside `netns`. */
export async function routeDev(address: string, netns?: string): Promise<string> {
  const result = await status('ip', [...(netns ? ['-n', netns] : []), '-j', 'route', 'get', address]);
  if (result.code !== 0) return /unreachable/i.test(result.output) ? 'unreachable' : `error: ${result.output}`;
  return (JSON.parse(result.output) as Array<{ dev: string }>)[0].dev;
}

/** Names of the kernel objects a network could leave behind, for before/after comparisons. */
export async function hostObjects(): Promise<{ netns: string[]; veths: string[]; bridges: string[]; tables: string[] }> {
  const names = async (args: string[], key: string) =>
    ((JSON.parse((await run('ip', ['-j', ...args])) || '[]') as Array<Record<string, string>>).map((o) => o[key])).sort();
  return {
    netns: await names(['netns', 'list'], 'name'),
    veths: await names(['link', 'show', 'type', 'veth'], 'ifname'),
    bridges: await names(['link', 'show', 'type', 'bridge'], 'ifname'),
    tables: (await run('nft', ['list', 'tables'])).split('\n').filter(Boolean).sort(),
  };
}

/** Starts `argv` inside the namespace; the caller kills it. */
export function spawnInNetns(netns: string, argv: string[]): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', netns, ...argv], { stdio: 'ignore' });
  child.on('error', () => undefined);
  return child;
}

export async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
