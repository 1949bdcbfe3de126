import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SyncQueue } from '../../controller/queue/sync-queue.js';
import { StateStore } from '../../controller/state/state-store.js';
import { ChaosProcesses, PROCESS_KINDS, sleep, type ProcessKind } from './chaos-processes.js';
import { ChaosRepo, type ChaosApp, type RepoState } from './chaos-repo.js';
import { convergenceProblems } from './convergence-checks.js';
import { createPrng, type Prng } from './prng.js';
import { freePort } from '../support/free-port.js';
import { killPodProcesses } from './pod-processes.js';
import { batonTmpfsDirs, removeTmpfsLeftovers } from './tmpfs-leftovers.js';

export interface ChaosOptions {
  /** Seeds the history and the kill schedule. @defaultValue 1 */
  seed?: number;
  /** Kills in all; each round kills each of the four processes once, in a random order. @defaultValue 52 */
  kills?: number;
  /** How long one round's kills are spread over, after its commit. @defaultValue 12000 */
  windowMs?: number;
  /** How long a round may take to converge before it counts as a divergence. @defaultValue 300000 */
  convergeTimeoutMs?: number;
  /** Keep the state dir (always kept when something diverged). @defaultValue false */
  keep?: boolean;
  /** Progress lines. @defaultValue stdout */
  log?: (line: string) => void;
  /** Stops the run early (Ctrl-C); it still cleans up. @defaultValue never */
  signal?: AbortSignal;
}

export interface Divergence {
  seed: number;
  round: number;
  step: string;
  kills: string[];
  problems: string[];
}

export interface ChaosResult {
  kills: number;
  divergences: Divergence[];
  stateDir: string;
}

type Step = 'good' | 'bad' | 'rapid' | 'revert';

/**
 * Crash-anywhere convergence (ARCHITECTURE.md invariant 4): rounds of a
 * scripted Git history (good commits, a bad commit that must be rolled
 * back, rapid commits, reverts) against baton running as four processes,
 * each round SIGKILLing every one of controller, worker, runtime and
 * redis-server once at a random moment and starting it again, then checking
 * that everything converged (convergence-checks.ts).
 */
export async function runChaos(options: ChaosOptions = {}): Promise<ChaosResult> {
  const seed = options.seed ?? 1;
  const totalKills = options.kills ?? 52;
  const windowMs = options.windowMs ?? 12_000;
  const timeoutMs = options.convergeTimeoutMs ?? 300_000;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const prng = createPrng(seed);
  // Names are unique per run (not per seed), so runs side by side never share pods or addresses.
  const run = randomBytes(3).toString('hex');
  const apps: ChaosApp[] = ['alpha', 'beta'].map((name) => ({ name, namespace: `chaos-${run}-${name}`, clusterIP: randomClusterIp() }));
  const stateDir = await mkdtemp(join(tmpdir(), 'bc-'));
  const namespaces = new Set(apps.map((a) => a.namespace));
  const divergences: Divergence[] = [];
  let kills = 0;
  const procs = new ChaosProcesses({ stateDir, repoDir: join(stateDir, 'repo'), runtimePort: await freePort(), log: (l) => log(`  ${l}`) });
  let state: StateStore | undefined;
  let queue: SyncQueue | undefined;
  const tmpfsBefore = batonTmpfsDirs();
  try {
    log(`chaos: seed ${seed}, ${totalKills} kills, state dir ${stateDir}`);
    const repo = await ChaosRepo.create(join(stateDir, 'repo'), apps);
    await procs.startAll();
    state = new StateStore({ redisUrl: procs.redisUrl });
    queue = new SyncQueue({ redisUrl: procs.redisUrl });
    const inputs = { repo, state, queue, kubeconfig: procs.kubeconfig };
    const first = await converge(inputs, timeoutMs, options.signal);
    if (first.problems.length) throw new Error(`the first release never converged, before any kill:\n${first.problems.join('\n')}`);
    log(`round 0: first release converged in ${first.seconds}s`);

    const rounds = Math.ceil(totalKills / PROCESS_KINDS.length);
    const nextStep = stepPlan(prng);
    for (let round = 1; round <= rounds && !options.signal?.aborted; round++) {
      const targets = prng.shuffle(PROCESS_KINDS).slice(0, Math.min(PROCESS_KINDS.length, totalKills - kills));
      const step = nextStep();
      const commitAt = prng.int(0, 3000);
      const schedule = targets.map((kind) => ({ kind, at: prng.int(0, windowMs), restartAfter: prng.int(200, 2500) })).sort((a, b) => a.at - b.at);
      const shown = schedule.map((k) => `${k.kind}@${(k.at / 1000).toFixed(1)}s`);
      log(`round ${round}/${rounds}: ${step} commit at ${(commitAt / 1000).toFixed(1)}s; kills ${shown.join(' ')}`);
      const stepDone = (async () => {
        await sleep(commitAt);
        return applyStep(step, prng, repo);
      })();
      await Promise.all(
        schedule.map(async (k) => {
          await sleep(k.at);
          await procs.kill(k.kind as ProcessKind, k.restartAfter);
          kills++;
        }),
      );
      const what = await stepDone;
      await procs.ready();
      const result = await converge(inputs, timeoutMs, options.signal);
      if (result.problems.length === 0) {
        log(`round ${round}: ${what}: converged ${result.seconds}s after the last restart`);
        continue;
      }
      const divergence = { seed, round, step: what, kills: shown, problems: result.problems };
      divergences.push(divergence);
      log(`round ${round}: DIVERGED (seed ${seed}) after ${what}, kills ${shown.join(' ')}:\n  ${result.problems.join('\n  ')}`);
      for (const kind of PROCESS_KINDS) log(`--- ${kind} (${procs.logPath(kind)}):\n${await procs.tail(kind, 15)}`);
    }
    return { kills, divergences, stateDir };
  } catch (err) {
    divergences.push({ seed, round: -1, step: 'setup', kills: [], problems: [(err as Error).stack ?? String(err)] });
    log(`chaos: ${(err as Error).stack ?? String(err)}`);
    return { kills, divergences, stateDir };
  } finally {
    await procs.stopAll();
    const left = killPodProcesses(namespaces);
    // Pods outlive baton by design (the next start re-adopts them); the run ends them itself.
    if (left) log(`chaos: stopped the ${left} pod process groups of this run`);
    // The launcher shells of killed runtimes end once the pods they started have: give them a moment.
    await sleep(1000);
    const swept = removeTmpfsLeftovers(tmpfsBefore);
    if (swept) log(`chaos: removed ${swept} /dev/shm directories of killed processes`);
    await queue?.close().catch(() => undefined);
    await state?.close().catch(() => undefined);
    if (options.keep || divergences.length) log(`chaos: state dir kept at ${stateDir}`);
    else await rm(stateDir, { recursive: true, force: true });
  }
}

/** Polls the checks until they all pass or time runs out; the last problems seen otherwise. */
async function converge(inputs: Parameters<typeof convergenceProblems>[0], timeoutMs: number, signal?: AbortSignal): Promise<{ problems: string[]; seconds: number }> {
  const started = Date.now();
  let problems: string[] = [];
  while (Date.now() - started < timeoutMs) {
    if (signal?.aborted) return { problems: ['interrupted'], seconds: 0 };
    try {
      problems = await convergenceProblems(inputs);
    } catch (err) {
      problems = [`checks could not run: ${(err as Error).message}`];
    }
    if (problems.length === 0) return { problems, seconds: Math.round((Date.now() - started) / 1000) };
    await sleep(2000);
  }
  return { problems, seconds: Math.round((Date.now() - started) / 1000) };
}

/** Every four rounds see each kind of step once, in a seeded order. */
function stepPlan(prng: Prng): () => Step {
  let block: Step[] = [];
  return () => {
    if (block.length === 0) block = prng.shuffle(['good', 'bad', 'rapid', 'revert'] as const);
    return block.shift()!;
  };
}

/** Makes the step's commits; returns it in words. */
async function applyStep(step: Step, prng: Prng, repo: ChaosRepo): Promise<string> {
  const bump = (state: RepoState, broken: boolean): [RepoState, string] => {
    const app = prng.pick(repo.apps).name;
    // Numbered by commit, so a version never repeats (reverts bring back old ones).
    const version = repo.length + 1;
    return [{ ...state, [app]: { version, broken } }, `${app} v${version}${broken ? ' (broken)' : ''}`];
  };
  if (step === 'revert' && repo.length >= 2) {
    await repo.revertHead();
    return `revert of the last commit (now ${describe(repo.headState)})`;
  }
  if (step === 'rapid') {
    const made: string[] = [];
    for (let i = prng.int(3, 5); i > 0; i--) {
      const [next, what] = bump(repo.headState, false);
      await repo.commit(next, what);
      made.push(what);
      await sleep(prng.int(0, 300));
    }
    return `rapid commits ${made.join(', ')}`;
  }
  const [next, what] = bump(repo.headState, step === 'bad');
  await repo.commit(next, what);
  return `${step} commit ${what}`;
}

function describe(state: RepoState): string {
  return Object.entries(state)
    .map(([app, v]) => `${app} v${v.version}${v.broken ? ' broken' : ''}`)
    .join(', ');
}

function randomClusterIp(): string {
  const bytes = randomBytes(2);
  return `127.2.${100 + (bytes[0] % 150)}.${1 + (bytes[1] % 250)}`;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: string[]): Promise<void> {
  const seed = Number(flag(args, '--seed') ?? process.env.CHAOS_SEED ?? 1);
  const kills = Number(flag(args, '--kills') ?? process.env.CHAOS_KILLS ?? 52);
  if (!Number.isInteger(seed) || !Number.isInteger(kills) || kills < 1) {
    process.stderr.write('usage: npm run test:chaos -- [--seed N] [--kills N] [--keep]\n');
    process.exit(2);
  }
  const started = Date.now();
  const interrupt = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => interrupt.abort());
  const result = await runChaos({ seed, kills, keep: args.includes('--keep'), signal: interrupt.signal });
  for (const d of result.divergences) process.stdout.write(`divergence: seed ${d.seed}, round ${d.round}: ${d.problems[0]?.split('\n')[0]}\n`);
  process.stdout.write(`chaos: wall time ${Math.round((Date.now() - started) / 1000)}s\n`);
  process.stdout.write(`chaos: ${result.kills} kills, ${result.divergences.length} divergences\n`);
  process.exit(result.divergences.length > 0 ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
