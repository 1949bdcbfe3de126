import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../../../observe/logging/create-logger.js';
import { knownSecrets } from '../../../censor/known-secrets.js';
import { lineLogger } from '../../../observe/logging/line-logger.js';
import { logSyncWorker } from '../../../observe/logging/log-sync-worker.js';
import { parseRedisUrl } from '../../../redis/connect-redis.js';
import { startSyncWorker } from '../../../sync/start-sync-worker.js';
import { CliError } from '../cli-error.js';

interface WorkerFlags {
  stateDir: string;
  redisUrl?: string;
  concurrency: string;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run an extra sync worker next to `baton up` (same state dir, same Redis)')
    .option('--state-dir <dir>', "the state dir of the `baton up` to work for", '.baton')
    .option('--redis-url <url>', 'Redis to take jobs from (default: $REDIS_URL, else the state dir\'s redis.sock)')
    .option('--concurrency <n>', 'syncs of different apps run at once', '4')
    .action(async (flags: WorkerFlags) => {
      const stateDir = resolve(flags.stateDir);
      const concurrency = Number(flags.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new CliError(`baton worker: --concurrency must be a whole number of at least 1, got "${flags.concurrency}"`);
      const redisUrl = flags.redisUrl || process.env.REDIS_URL || ownRedis(stateDir);
      try {
        parseRedisUrl(redisUrl);
      } catch (err) {
        throw new CliError(`baton worker: ${(err as Error).message}`);
      }
      // The API and runtime tokens of this state dir are censored in failure messages and log lines, as in `baton up`.
      knownSecrets.addFromStateDir(stateDir);
      // JSON lines (pretty on a terminal) with app, revision and jobId; secrets censored.
      const logger = createLogger({ name: 'baton-worker' });
      const say = lineLogger(logger);
      const worker = await startSyncWorker({ stateDir, redisUrl, concurrency, log: say });
      logSyncWorker(logger, worker.worker);
      process.stdout.write(`baton worker: taking sync jobs (pid ${process.pid})\n`);
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) process.exit(130);
        stopping = true;
        say(`${signal}: finishing running syncs (a second Ctrl-C abandons them to another worker)`);
        worker.close(false).then(
          () => process.exit(0),
          (err: unknown) => {
            process.stderr.write(`baton worker: ${(err as Error).message}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}

/** The private Redis of the `baton up` using this state dir. */
function ownRedis(stateDir: string): string {
  const socket = join(stateDir, 'redis.sock');
  if (!existsSync(socket)) {
    throw new CliError(`baton worker: no Redis to work with: ${socket} does not exist (is \`baton up --state-dir ${stateDir}\` running?); or set REDIS_URL / --redis-url`);
  }
  return `redis+unix://${socket}`;
}
