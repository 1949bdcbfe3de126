/**
 * The launcher under a burst of starts, as the process driver makes them when
 * hundreds of pods are scheduled at once: N `sleep` programs started at the
 * same moment (while short `run`s go on beside them, as `ip` and `mount` do),
 * each timed from `start()` to the shell's report of its fork; beside the
 * floor of N bare forks from node. Everything started is killed at the end.
 *
 *   npx tsx bench/launcher-starts.ts [--starts 300] [--runs 100] [--shells N]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Launcher } from '../runtime/launcher/index.js';
import { defaultShells } from '../runtime/launcher/launcher.js';

const { values: args } = parseArgs({
  options: {
    starts: { type: 'string', default: '300' },
    runs: { type: 'string', default: '100' },
    shells: { type: 'string' },
  },
});
const starts = Number(args.starts);
const runs = Number(args.runs);
const shells = args.shells ? Number(args.shells) : defaultShells();

const ms = (n: number) => `${n.toFixed(0)} ms`;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/** N bare `sleep`s spawned from node, each until its spawn event: what a start costs with no shell between. */
async function floor(): Promise<number> {
  const t0 = performance.now();
  const children = await Promise.all(
    Array.from({ length: starts }, () => new Promise<ReturnType<typeof spawn>>((resolve) => {
      const child = spawn('sleep', ['600'], { stdio: 'ignore', detached: true });
      child.once('spawn', () => resolve(child));
    })),
  );
  const elapsed = performance.now() - t0;
  for (const child of children) child.kill('SIGKILL');
  return elapsed;
}

const dir = await mkdtemp(join(tmpdir(), 'bench-launcher-'));
// A started program's exit does not keep node alive (the launcher's design): this does, until the end.
const alive = setInterval(() => undefined, 1000);
try {
  const bare = await floor();
  const launcher = new Launcher(undefined, 8, shells);
  // One start first, so the shells' own spawn is not in the figures.
  const warm = await launcher.start('sleep', ['600'], { cwd: dir, outputPath: join(dir, 'warm.log') });
  process.kill(warm.pid, 'SIGKILL');
  await warm.exited;

  const t0 = performance.now();
  const sideRuns = Promise.all(Array.from({ length: runs }, () => launcher.run('true', [])));
  const timed = await Promise.all(
    Array.from({ length: starts }, async (_, i) => {
      const t = performance.now();
      const started = await launcher.start('sleep', ['600'], { cwd: dir, outputPath: join(dir, `${i}.log`) });
      return { started, ms: performance.now() - t };
    }),
  );
  const all = performance.now() - t0;
  const failedRuns = (await sideRuns).filter((r) => r.code !== 0).length;
  const sideRunsMs = performance.now() - t0;
  for (const { started } of timed) process.kill(started.pid, 'SIGKILL');
  await Promise.all(timed.map(({ started }) => started.exited));

  const sorted = timed.map((t) => t.ms).sort((a, b) => a - b);
  console.log(`launcher: ${starts} starts of sleep at once, ${runs} runs of true beside them, ${shells} shell(s)\n`);
  console.log(`all started ${ms(all)} (${runs} runs done ${ms(sideRunsMs)}, ${failedRuns} failed)   floor: ${starts} bare spawns from node ${ms(bare)}`);
  console.log(`start() → fork reported: p50 ${ms(percentile(sorted, 50))}  p90 ${ms(percentile(sorted, 90))}  max ${ms(sorted[sorted.length - 1])}`);
} finally {
  clearInterval(alive);
  await rm(dir, { recursive: true, force: true });
}
