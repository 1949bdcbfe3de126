import { Worker } from 'node:worker_threads';

/** How a TCP connection attempt ended: connected, or the error's message (`i/o timeout` past the timeout). */
export type DialOutcome = { ok: true } | { ok: false; error: string };

interface Dial {
  id: number;
  host: string;
  port: number;
  timeoutMs: number;
}

// Plain JavaScript, run with `eval`: the same under tsx and compiled. Answers are sent in batches, one message per turn of its loop.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { connect } = require('node:net');
let answers = [];
const answer = (id, outcome) => {
  if (answers.length === 0) setImmediate(() => { parentPort.postMessage(answers); answers = []; });
  answers.push([id, outcome]);
};
parentPort.on('message', (dials) => {
  for (const { id, host, port, timeoutMs } of dials) {
    const socket = connect({ host, port, timeout: timeoutMs });
    let done = false;
    const end = (outcome) => {
      if (done) return;
      done = true;
      socket.destroy();
      answer(id, outcome);
    };
    socket.once('connect', () => end({ ok: true }));
    // Timers run before the poll for I/O: past a busy stretch of this thread (a batch of hundreds of connects) a
    // connection the kernel completed in time is seen only by the poll that follows, which setImmediate waits for.
    socket.once('timeout', () => setImmediate(() => end({ ok: false, error: 'i/o timeout' })));
    socket.once('error', (err) => end({ ok: false, error: err.message }));
  }
});
`;

/**
 * TCP connection attempts (tcpSocket probes, and readiness waiting for a port)
 * made on a worker thread: on loopback the kernel runs the whole handshake,
 * and wakes the server, inside the caller's connect(), which cost the
 * runtime's event loop ~2.5 ms per probe with 1,000 pods probed every couple
 * of seconds. Requests of one turn of the event loop go as one message.
 */
class TcpDialer {
  private worker: Worker | undefined;
  private next = 0;
  private readonly pending = new Map<number, (outcome: DialOutcome) => void>();
  private batch: Dial[] = [];

  dial(host: string, port: number, timeoutMs: number): Promise<DialOutcome> {
    return new Promise((resolve) => {
      const id = this.next++;
      this.pending.set(id, resolve);
      if (this.batch.length === 0) setImmediate(() => this.flush());
      this.batch.push({ id, host, port, timeoutMs });
    });
  }

  private flush(): void {
    const dials = this.batch;
    this.batch = [];
    this.started().postMessage(dials);
    this.worker!.ref();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (answers: Array<[number, DialOutcome]>) => {
      for (const [id, outcome] of answers) {
        const resolve = this.pending.get(id);
        this.pending.delete(id);
        resolve?.(outcome);
      }
      // Like a socket's timer, a probe waiting here does not keep the process alive by itself once nothing is pending.
      if (this.pending.size === 0) worker.unref();
    });
    worker.on('error', () => this.lost(worker));
    worker.on('exit', () => this.lost(worker));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** A dead worker fails what it held; the next dial starts another. */
  private lost(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const resolve of this.pending.values()) resolve({ ok: false, error: 'the probing thread ended' });
    this.pending.clear();
  }
}

let shared: TcpDialer | undefined;

/** Tries a TCP connection to `host:port` off the main thread; the socket is closed at once. */
export function dialTcp(host: string, port: number, timeoutMs: number): Promise<DialOutcome> {
  shared ??= new TcpDialer();
  return shared.dial(host, port, timeoutMs);
}
