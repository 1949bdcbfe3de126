import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'runtime-process.ts');

/** Starts the runtime in a child process and resolves with it once `ok(status)` holds for a printed pod status. */
function startRuntime(stateDir: string, args: string[], ok: (status: any) => boolean): Promise<{ child: ChildProcess; status: any; latest: () => any }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, stateDir, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let last: any;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('runtime child never reported the expected pod status')), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      last = JSON.parse(line);
      if (ok(last)) {
        clearTimeout(timer);
        resolve({ child, status: last, latest: () => last });
      }
    });
    child.once('exit', (code) => reject(new Error(`runtime child exited with ${code}`)));
  });
}

/**
 * Process groups of the live container wrappers of the runtime at `stateDir`
 * (the zygote titles each `baton-container <exit file>`): one per container.
 */
function containerGroups(stateDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      const [state, , pgrp] = fields;
      if (cmdline.startsWith(`baton-container ${stateDir}/`) && state !== 'Z' && !pids.includes(Number(pgrp))) pids.push(Number(pgrp));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

describe('kubelet: the runtime process crashes', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('leaves the pod running, and the restarted runtime adopts it without starting a second copy', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'baton-kubelet-crash-'));
    cleanup.push(() => rm(stateDir, { recursive: true, force: true }));
    const marker = `baton-survivor-${process.pid}-${Date.now()}`;
    cleanup.push(() => {
      // The wrapper leads the container's process group: kill all of it.
      for (const pid of containerGroups(stateDir)) process.kill(-pid, 'SIGKILL');
    });
    const running = (s: any): boolean => s.containerStatuses?.[0]?.state?.running !== undefined;

    const first = await startRuntime(stateDir, ['--create', marker], running);
    const pid = Number(first.status.containerStatuses[0].containerID.replace('process://', ''));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    expect(containerGroups(stateDir).length).toBe(1);

    const second = await startRuntime(stateDir, [], running);
    cleanup.push(() => {
      second.child.kill('SIGTERM');
    });
    // Give the new kubelet a few reconcile passes in which it could (wrongly) start another copy.
    await new Promise((r) => setTimeout(r, 3000));
    const now = second.latest();
    expect(now.containerStatuses[0].containerID).toBe(`process://${pid}`);
    expect(now.containerStatuses[0].restartCount).toBe(0);
    expect(containerGroups(stateDir)).toHaveLength(1);
    expect(() => process.kill(pid, 0)).not.toThrow();
  });
});
