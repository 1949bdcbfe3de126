import { afterEach, describe, expect, it } from 'vitest';
import { startReconcileLoop, type ReconcileLoop, type ReconcileLoopOptions } from '../../../../../runtime/kube/reconcile/reconcile-loop.js';
import { done, requeueAfter } from '../../../../../runtime/kube/reconcile/reconcile-result.js';
import { TerminalError } from '../../../../../runtime/kube/reconcile/terminal-error.js';

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('startReconcileLoop', () => {
  let loop: ReconcileLoop | undefined;
  const start = (options: Omit<ReconcileLoopOptions, 'name'>): ReconcileLoop => (loop = startReconcileLoop({ name: 'test', ...options }));
  afterEach(async () => {
    await loop?.stop();
    loop = undefined;
  });

  it('reconciles a key queued twice once, and never alongside itself', async () => {
    const runs: string[] = [];
    let running = 0;
    let overlapped = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    start({
      concurrency: 4,
      async reconcile(key) {
        if (++running > 1) overlapped = true;
        runs.push(key);
        await gate;
        running--;
        return done;
      },
    });
    loop!.enqueue('a');
    await eventually(() => runs.length === 1, 'first run');
    // Woken twice while running: one more run afterwards, not two, and not at once.
    loop!.enqueue('a');
    loop!.enqueue('a');
    release();
    await loop!.idle();
    expect(runs).toEqual(['a', 'a']);
    expect(overlapped).toBe(false);
  });

  it('retries errors with back-off until success, and does not retry a TerminalError', async () => {
    let flaky = 0;
    let terminal = 0;
    start({
      backoff: { base: 5, cap: 20 },
      async reconcile(key) {
        if (key === 'flaky' && ++flaky < 4) throw new Error('not yet');
        if (key === 'bad') {
          terminal++;
          throw new TerminalError('cannot fix itself');
        }
        return done;
      },
    });
    loop!.enqueue('flaky');
    loop!.enqueue('bad');
    await eventually(() => flaky === 4, 'flaky retried until it succeeds');
    await sleep(100);
    expect(terminal).toBe(1);
    expect(flaky).toBe(4);
  });

  it('requeues after the asked delay; with latestRequeueWins the last reconcile sets it', async () => {
    let runs = 0;
    start({ reconcile: async () => (++runs < 3 ? requeueAfter(10) : done) });
    loop!.enqueue('tick');
    await eventually(() => runs === 3, 'three runs');
    await loop!.stop();

    const at: number[] = [];
    start({
      latestRequeueWins: true,
      async reconcile() {
        at.push(Date.now());
        return requeueAfter(at.length === 1 ? 30 : 60_000);
      },
    });
    loop!.enqueue('poll');
    await eventually(() => at.length === 1, 'first run');
    await loop!.reconcileNow('poll');
    // The 30 ms requeue planned by the first run was replaced by the second run's minute.
    await sleep(100);
    expect(at.length).toBe(2);
  });

  it('reconcileNow resolves after a run that started after the call', async () => {
    const finished: number[] = [];
    let n = 0;
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    start({
      async reconcile() {
        const mine = ++n;
        await gate;
        finished.push(mine);
        return done;
      },
    });
    const first = loop!.reconcileNow('k');
    await eventually(() => n === 1, 'first run started');
    const second = loop!.reconcileNow('k');
    const third = loop!.reconcileNow('k');
    const firstGate = release;
    gate = new Promise<void>((r) => (release = r));
    firstGate();
    await first;
    expect(finished).toEqual([1]);
    release();
    await Promise.all([second, third]);
    // Both calls made during run 1 share run 2.
    expect(finished).toEqual([1, 2]);
  });

  it('reconcileNow right after the key was handed to a worker waits for the run after', async () => {
    let runs = 0;
    start({
      async reconcile() {
        runs++;
        return done;
      },
    });
    loop!.enqueue('k');
    await loop!.reconcileNow('k');
    expect(runs).toBe(2);
  });

  it('relists every key on resync', async () => {
    const seen = new Set<string>();
    start({
      listKeys: async () => ['x', 'y'],
      resyncMs: 20,
      async reconcile(key) {
        seen.add(key);
        return done;
      },
    });
    await eventually(() => seen.size === 2, 'resync');
  });

  it('stop waits for the reconcile in flight and then runs nothing more', async () => {
    let finished = false;
    let runs = 0;
    start({
      async reconcile() {
        runs++;
        await sleep(50);
        finished = true;
        return requeueAfter(0);
      },
    });
    loop!.enqueue('slow');
    await eventually(() => runs === 1, 'started');
    await loop!.stop();
    expect(finished).toBe(true);
    await sleep(30);
    expect(runs).toBe(1);
  });

  it('holds keys until run() when autorun is off', async () => {
    let runs = 0;
    start({
      autorun: false,
      async reconcile() {
        runs++;
        return done;
      },
    });
    loop!.enqueue('a');
    await sleep(30);
    expect(runs).toBe(0);
    loop!.run();
    await loop!.idle();
    expect(runs).toBe(1);
  });
});
