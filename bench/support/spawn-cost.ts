import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';

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

export interface BareServersResult {
  /** From the first spawn until every process has started. */
  spawnedMs: number;
  /** From the first spawn until every server accepts a TCP connection (what a tcpSocket readiness probe sees). */
  listeningMs: number;
}

/** Resolves once `host:port` accepts a connection, trying again every `retryMs`. */
async function acceptsConnection(host: string, port: number, retryMs: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}

/**
 * The floor of a scale-up: `count` busybox httpd servers started directly
 * by this process (no sandbox, no store, no controller), each on its own
 * loopback address as process pods are, timed until all have spawned and
 * until all accept connections; then killed.
 */
export async function bareServers(busybox: string, www: string, count: number, port: number): Promise<BareServersResult> {
  const children: ChildProcess[] = [];
  const addressOf = (i: number) => `127.2.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  try {
    const t0 = performance.now();
    const spawned: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      const child = spawn(busybox, ['httpd', '-f', '-p', `${addressOf(i)}:${port}`, '-h', www], { stdio: 'ignore' });
      children.push(child);
      spawned.push(once(child, 'spawn'));
    }
    await Promise.all(spawned);
    const spawnedMs = performance.now() - t0;
    // A server that ended (its address taken, say) fails the measurement instead of being waited for ever.
    const early = new Promise<never>((_, reject) => {
      children.forEach((child, i) => child.once('exit', (code) => reject(new Error(`bare httpd on ${addressOf(i)}:${port} exited (${code}) before the measurement ended`))));
    });
    early.catch(() => undefined);
    await Promise.race([Promise.all(children.map((_, i) => acceptsConnection(addressOf(i), port, 10))), early]);
    return { spawnedMs, listeningMs: performance.now() - t0 };
  } finally {
    const exits = children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => once(c, 'exit'));
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(exits);
  }
}
