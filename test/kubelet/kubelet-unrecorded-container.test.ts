import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './kubelet-harness.js';

// A runtime SIGKILLed between starting a container and saving its pid (one event-loop turn, a window
// the runtime kills of test/chaos can land in) left the process running unrecorded, and the next
// kubelet started a second copy of the container beside it.

/** A container wrapper as the process driver starts it: `sh -c … baton-container <exitPath> <workDir> argv…`. */
function wrapper(exitPath: string): number {
  const child = spawn('sh', ['-c', 'trap : TERM INT HUP; shift 2; "$@"', 'baton-container', exitPath, '', 'sleep', '600'], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

describe('kubelet start: containers no record knows', () => {
  let h: Harness;
  let otherDir: string;
  const groups: number[] = [];

  beforeAll(async () => {
    h = await startHarness();
    otherDir = await mkdtemp(join(tmpdir(), 'baton-other-node-'));
  });
  afterAll(async () => {
    for (const pgrp of groups) {
      try {
        process.kill(-pgrp, 'SIGKILL');
      } catch {}
    }
    await h?.close();
    if (otherDir) await rm(otherDir, { recursive: true, force: true });
  });

  it('are killed with their process group; recorded containers and other runtimes\' containers keep running', async () => {
    await h.createPod('kept', { containers: [{ name: 'app', command: ['sleep', '600'] }] });
    const running = await h.waitForPod('kept', 'running', (p) => !!p?.status?.containerStatuses?.[0]?.state?.running);
    const keptPid = Number(running.status.containerStatuses[0].containerID.replace('process://', ''));

    const unrecorded = wrapper(join(h.stateDir, 'pods', '00000000-dead-4bad-8bad-000000000000', 'app', 'exit-code'));
    const foreign = wrapper(join(otherDir, 'pods', '00000000-dead-4bad-8bad-000000000001', 'app', 'exit-code'));
    groups.push(unrecorded, foreign);
    expect(alive(unrecorded) && alive(foreign)).toBe(true);

    await h.restartKubelet();
    const deadline = Date.now() + 10_000;
    while (alive(unrecorded) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive(unrecorded), 'the unrecorded container').toBe(false);
    expect(alive(foreign), "another runtime's container").toBe(true);
    expect(alive(keptPid), 'the recorded container').toBe(true);
    const after = await h.getPod('kept');
    expect(after.status?.containerStatuses?.[0]?.containerID).toBe(`process://${keptPid}`);
  });
});
