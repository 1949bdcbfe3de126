/**
 * The references bench/oci-scale.ts measures baton against: runc driven by
 * hand on a bundle of the same image rootfs, with no baton code in between.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runc, runcList } from '../../runtime/kubelet/oci/runc-cli.js';

export { runc, runcList };

/** Runs a program; rejects with its stderr. */
export function run(file: string, args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
      else resolve(String(stdout));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls every millisecond until `ready()`; the same poll for baton and bare runc, so it costs both sides alike. */
export async function pollUntil(ready: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (ready()) return performance.now();
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(1);
  }
}

export function hasOutput(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
}

/** An overlay of `lower` at `<dir>/rootfs`, as the oci driver mounts one per container. */
export async function mountOverlay(lower: string, dir: string): Promise<string> {
  const [upper, work, rootfs] = ['upper', 'work', 'rootfs'].map((d) => join(dir, d));
  for (const d of [upper, work, rootfs]) mkdirSync(d, { recursive: true });
  await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, rootfs]);
  return rootfs;
}

export async function unmount(target: string): Promise<void> {
  await run('umount', ['--lazy', target]).catch(() => undefined);
}

/**
 * `runc spec`'s default config.json in `bundle` with the given command, the
 * root at `rootfs` (read-only, as `runc spec` makes it) and, when given, an
 * existing network namespace instead of a new one.
 */
export async function writeRuncSpecBundle(bundle: string, rootfs: string, args: string[], netnsPath?: string): Promise<void> {
  await run('runc', ['spec', '--bundle', bundle]);
  const file = join(bundle, 'config.json');
  const spec = JSON.parse(readFileSync(file, 'utf8'));
  spec.process.terminal = false;
  spec.process.args = args;
  spec.root.path = rootfs;
  if (netnsPath) {
    spec.linux.namespaces = spec.linux.namespaces.map((n: { type: string }) => (n.type === 'network' ? { type: 'network', path: netnsPath } : n));
  }
  writeFileSync(file, JSON.stringify(spec));
}

export interface RuncRunTimes {
  /** From spawning `runc run` to the container's first output byte in `outPath`. */
  upMs: number;
  /** From spawning `runc run` to its exit (the container ended and runc deleted it). */
  exitMs: number;
}

/** `runc run --bundle B id` in the foreground, output to `outPath`, timed to first output and to exit. */
export async function timeRuncRun(root: string, bundle: string, id: string, outPath: string): Promise<RuncRunTimes> {
  const out = openSync(outPath, 'w');
  const t0 = performance.now();
  const child = spawn('runc', ['--root', root, 'run', '--bundle', bundle, id], { stdio: ['ignore', out, out] });
  closeSync(out);
  let exitAt: number | undefined;
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      exitAt = performance.now();
      exitCode = code;
      resolve();
    });
  });
  const up = await pollUntil(() => hasOutput(outPath) || exitAt !== undefined, 10_000, `runc run ${id}`);
  await exited;
  if (exitCode !== 0 || !hasOutput(outPath)) throw new Error(`runc run ${id} exited ${exitCode}: ${readFileSync(outPath, 'utf8').trim()}`);
  return { upMs: up - t0, exitMs: exitAt! - t0 };
}

/** Runs `tasks` with at most `limit` at a time. */
export async function withConcurrency<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * `count` detached containers (`runc run -d`) of one bundle, `limit` at a
 * time, timed until `runc list` reports every one running.
 */
export async function startDetached(root: string, bundle: string, ids: string[], limit: number): Promise<{ returnedMs: number; runningMs: number }> {
  const t0 = performance.now();
  await withConcurrency(ids, limit, async (id) => {
    // Not runc(): a detached container inherits runc's stdio, and a pipe would stay open until it ends.
    const errors = join(bundle, `${id}.err`);
    const fd = openSync(errors, 'w');
    const child = spawn('runc', ['--root', root, 'run', '-d', '--bundle', bundle, id], { stdio: ['ignore', 'ignore', fd] });
    closeSync(fd);
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`runc run -d ${id} exited ${code}: ${readFileSync(errors, 'utf8').trim()}`);
  });
  const returnedMs = performance.now() - t0;
  for (;;) {
    const running = (await runcList(root)).filter((c) => c.status === 'running').length;
    if (running === ids.length) return { returnedMs, runningMs: performance.now() - t0 };
    if (performance.now() - t0 > 120_000) throw new Error(`only ${running} of ${ids.length} runc containers running after 120 s`);
    await sleep(10);
  }
}

/** Kills and deletes every container runc knows under `root`. */
export async function deleteAll(root: string, limit = 16): Promise<void> {
  const ids = (await runcList(root)).map((c) => c.id);
  await withConcurrency(ids, limit, async (id) => {
    await runc(root, ['delete', '--force', id]);
  });
}
