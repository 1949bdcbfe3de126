import { spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * How long node's main thread is blocked inside one spawn() of `/bin/true`
 * (median of `count`): libuv forks the whole process and waits for the exec,
 * so the cost grows with the resident size, and the runtime's event loop pays
 * it for every `ip`, `mount` and `runc` it starts.
 */
export async function spawnBlockMs(count = 20): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const child = spawn('/bin/true', [], { stdio: 'ignore' });
    times.push(performance.now() - t0);
    await once(child, 'exit');
  }
  return times.sort((a, b) => a - b)[Math.floor(count / 2)];
}
