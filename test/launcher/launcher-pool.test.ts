import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Launcher, type Started } from '../../runtime/launcher/index.js';
import { waitFor } from '../support/wait.js';

let dir: string | undefined;
const started: Started[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) killQuietly(s.pid);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Ended already.
  }
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** The launcher shell that forked a started program: program ← its job's subshell ← the shell. */
const shellOf = (pid: number) => parentOf(parentOf(pid));

async function start(launcher: Launcher, name: string): Promise<Started> {
  const s = await launcher.start('sleep', ['600'], { cwd: dir!, outputPath: join(dir!, `${name}.log`) });
  started.push(s);
  return s;
}

// Integration project: a first shell sweeps /dev/shm once per process (see fd3-hand-off.test.ts).
describe('launcher shells', () => {
  it('spreads starts over its shells', async () => {
    dir = mkdtempSync(join(tmpdir(), 'launcher-pool-'));
    const launcher = new Launcher(undefined, 8, 2);

    const a = await start(launcher, 'a');
    const b = await start(launcher, 'b');

    expect(shellOf(a.pid)).not.toBe(shellOf(b.pid));
  });

  it('starts a program while every run slot is taken by a long command', async () => {
    dir = mkdtempSync(join(tmpdir(), 'launcher-pool-'));
    const launcher = new Launcher(undefined, 1, 1);
    let runEnded = false;
    const blocking = launcher.run('sleep', ['30']).then((r) => {
      runEnded = true;
      return r;
    });
    // The run holds its slot from the moment it is called.
    const s = await start(launcher, 'a');

    expect(runEnded).toBe(false);
    const shell = shellOf(s.pid);
    process.kill(s.pid, 'SIGKILL');
    expect(await s.exited).toBe(137);
    killQuietly(await waitFor('the run to be forked', () => sleepingChildOf(shell)));
    expect((await blocking).code).toBe(137);
  });

  it('fails what was in flight on a shell that is lost, and starts a new shell for what follows', async () => {
    dir = mkdtempSync(join(tmpdir(), 'launcher-pool-'));
    const launcher = new Launcher(undefined, 8, 1);
    const s = await start(launcher, 'a');
    const shell = shellOf(s.pid);

    process.kill(shell, 'SIGKILL');

    expect(await s.exited).toBe(255);
    const next = await start(launcher, 'b');
    expect(shellOf(next.pid)).not.toBe(shell);
  });

  it('starts each program, by path or by name, as the leader of a session of its own, running that very program', async () => {
    dir = mkdtempSync(join(tmpdir(), 'launcher-pool-'));
    const launcher = new Launcher(undefined, 8, 1);
    const byPath = await launcher.start('/bin/sleep', ['600'], { cwd: dir, outputPath: join(dir, 'path.log') });
    const byName = await launcher.start('sleep', ['600'], { cwd: dir, outputPath: join(dir, 'name.log') });
    started.push(byPath, byName);
    const fields = (pid: number) => { const stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); return stat.slice(stat.lastIndexOf(')') + 2).split(' '); };
    for (const { pid } of [byPath, byName]) {
      // pgrp and session (fields 5 and 6 of stat) are its own once it runs the program.
      await waitFor('the program to run', () => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith('sleep'), { timeoutMs: 10_000 });
      expect(fields(pid).slice(2, 4).map(Number)).toEqual([pid, pid]);
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, 2)).toEqual([pid === byPath.pid ? '/bin/sleep' : 'sleep', '600']);
    }
  });
});

/** A `sleep 30` run by the shell `shell`: the program of a job (program ← job ← shell). */
function sleepingChildOf(shell: number): number | false {
  const jobs = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  for (const job of jobs) {
    let programs: number[];
    try {
      programs = readFileSync(`/proc/${job}/task/${job}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      continue;
    }
    for (const p of programs) {
      try {
        if (readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\u000030\u0000') return p;
      } catch {
        // Ended meanwhile.
      }
    }
  }
  return false;
}
