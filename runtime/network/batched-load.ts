import type { Logger } from 'pino';

export interface BatchedLoad {
  /** Asks for a load within the batch window; calls in the window share one. */
  schedule(): void;
  /** Loads now (after any load in flight) and resolves when done. */
  now(): Promise<void>;
  /** No more loads; waits for the one in flight. */
  stop(): Promise<void>;
}

/**
 * One load at a time of state that changes in bursts (rules from watched
 * objects): changes within `batchMs` are loaded together, a change during a
 * load runs one more load after it, and a failed load is retried after a second.
 */
export function batchedLoad(options: { load: () => Promise<void>; batchMs: number; logger: Logger; what: string }): BatchedLoad {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let dirty = false;
  let failed = false;
  let stopped = false;

  const arm = (delayMs: number) => {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, delayMs);
  };

  const run = (): Promise<void> => {
    if (running) {
      dirty = true;
      return running;
    }
    dirty = false;
    failed = false;
    running = options
      .load()
      .catch((err) => {
        options.logger.error({ err }, `${options.what} not loaded: ${(err as Error).message}; retrying`);
        failed = true;
      })
      .finally(() => {
        running = undefined;
        if (dirty || failed) arm(failed ? 1000 : options.batchMs);
      });
    return running;
  };

  return {
    schedule() {
      dirty = true;
      arm(options.batchMs);
    },
    async now() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
      await run();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
