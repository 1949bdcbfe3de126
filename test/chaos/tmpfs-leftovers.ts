import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { liveLauncherDirs } from '../../runtime/launcher/launcher-shell.js';
import { processExists } from '../../runtime/kubelet/pod-env-handoff.js';

const SHM = '/dev/shm';
/** What baton's processes make there: a launcher shell's directory, and a process's environment hand-off directory (by its pid). */
const LAUNCHER = /^baton-launcher-/;
const HAND_OFF = /^baton-env-(\d+)-/;

/** baton's directories on /dev/shm now (none where there is no /dev/shm). */
export function batonTmpfsDirs(): Set<string> {
  try {
    return new Set(readdirSync(SHM).filter((name) => LAUNCHER.test(name) || HAND_OFF.test(name)));
  } catch {
    return new Set();
  }
}

/**
 * Removes baton's /dev/shm directories made since `before` whose owner is
 * gone. A SIGKILLed process skips its exit handler and its launcher shell's
 * trap, so the run's last kills leave theirs; the next runtime would sweep
 * them, but a test run leaves the machine as it found it. A directory whose
 * owner still lives (another test's runtime) is left alone. Answers how many
 * were removed.
 */
export function removeTmpfsLeftovers(before: ReadonlySet<string>): number {
  const shells = liveLauncherDirs();
  let removed = 0;
  for (const name of batonTmpfsDirs()) {
    if (before.has(name)) continue;
    const pid = Number(HAND_OFF.exec(name)?.[1]);
    const ownerLives = pid ? processExists(pid) : shells.has(join(SHM, name));
    if (ownerLives) continue;
    rmSync(join(SHM, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
