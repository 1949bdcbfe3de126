import { Worker } from 'node:worker_threads';

/** How a TCP connection attempt ended: connected, or the error's message (`i/o timeout` past the timeout). */
export type DialOutcome = { ok: true } | { ok: false; error: string };

interface Dial {
  id: number;
  host: string;
  port: number;
  timeoutMs: number;
  /** Try again (after 10–100 ms) until this time (epoch ms) while the port refuses: a wait for a server to listen. */
  until?: number;
}

/** One message to the thread: dials to make, waits to give up. */
interface Batch {
  dials: Dial[];
  cancel: number[];
}

// Plain JavaScript, run with `eval`: the same under tsx and compiled. Answers are sent in batches, one message per turn of its loop.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { connect } = require('node:net');
let answers = [];
const cancelled = new Set();
const answer = (id, outcome) => {
  if (answers.length === 0) setImmediate(() => { parentPort.postMessage(answers); answers = []; });
  answers.push([id, outcome]);
};
const attempt = (dial, since) => {
  const { id, host, port, timeoutMs, until } = dial;
  const socket = connect({ host, port, timeout: until === undefined ? timeoutMs : Math.max(1, Math.min(timeoutMs, until - Date.now())) });
  let done = false;
  const end = (outcome) => {
    if (done) return;
    done = true;
    socket.destroy();
    const pause = Math.min(100, Math.max(10, (Date.now() - since) / 4));
    if (outcome.ok || until === undefined || cancelled.has(id) || Date.now() + pause >= until) {
      cancelled.delete(id);
      answer(id, outcome);
    } else {
      setTimeout(() => attempt(dial, since), pause);
    }
  };
  socket.once('connect', () => end({ ok: true }));
  // Timers run before the poll for I/O: past a busy stretch of this thread (a batch of hundreds of connects) a
  // connection the kernel completed in time is seen only by the poll that follows, which setImmediate waits for.
  socket.once('timeout', () => setImmediate(() => end({ ok: false, error: 'i/o timeout' })));
  socket.once('error', (err) => end({ ok: false, error: err.message }));
};
parentPort.on('message', ({ dials, cancel }) => {
  for (const id of cancel) cancelled.add(id);
  const now = Date.now();
  for (const dial of dials) attempt(dial, now);
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
  /** Ids of pending waits for a port to listen: like a socket's timer, they do not keep the process alive. */
  private readonly waits = new Set<number>();
  private batch: Batch = { dials: [], cancel: [] };

  dial(host: string, port: number, timeoutMs: number, until?: number): { outcome: Promise<DialOutcome>; cancel(): void } {
    const id = this.next++;
    const outcome = new Promise<DialOutcome>((resolve) => {
      this.pending.set(id, resolve);
      if (until !== undefined) this.waits.add(id);
      this.queue();
      this.batch.dials.push({ id, host, port, timeoutMs, until });
    });
    return {
      outcome,
      cancel: () => {
        if (!this.pending.has(id)) return;
        this.queue();
        this.batch.cancel.push(id);
      },
    };
  }

  private queue(): void {
    if (this.batch.dials.length === 0 && this.batch.cancel.length === 0) setImmediate(() => this.flush());
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = { dials: [], cancel: [] };
    this.started().postMessage(batch);
    this.hold();
  }

  /** Keeps the process alive while a plain dial is pending, as its socket would. */
  private hold(): void {
    if (this.pending.size > this.waits.size) this.worker?.ref();
    else this.worker?.unref();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (answers: Array<[number, DialOutcome]>) => {
      for (const [id, outcome] of answers) {
        const resolve = this.pending.get(id);
        this.pending.delete(id);
        this.waits.delete(id);
        resolve?.(outcome);
      }
      // Like a socket's timer, a probe waiting here does not keep the process alive by itself once nothing is pending.
      this.hold();
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
    this.waits.clear();
  }
}

let shared: TcpDialer | undefined;

/** Tries a TCP connection to `host:port` off the main thread; the socket is closed at once. */
export function dialTcp(host: string, port: number, timeoutMs: number): Promise<DialOutcome> {
  shared ??= new TcpDialer();
  return shared.dial(host, port, timeoutMs).outcome;
}

/**
 * Dials `host:port` until it accepts a connection or `until` (epoch ms) passes, trying again every 10–100 ms (soon
 * after the start, then less often) on the dialer's thread: a probe waiting for its server to listen costs the event
 * loop one message each way, not one per try. The outcome is the last try's (each within `timeoutMs`); `cancel` ends
 * the wait early, with the outcome of the try in flight.
 */
export function dialUntilListening(host: string, port: number, timeoutMs: number, until: number): { outcome: Promise<DialOutcome>; cancel(): void } {
  shared ??= new TcpDialer();
  return shared.dial(host, port, timeoutMs, until);
}
