import { Option, type Command } from 'commander';
import type { AppDetail, RevisionHistoryEntry, SyncRequested } from '../../api/contract.js';
import { ApiClient, shortRev, withClientOptions, type ClientFlags } from '../api-client.js';
import { CliError } from '../cli-error.js';
import { SyncProgressView } from '../sync-progress-view.js';

export interface WaitFlags extends ClientFlags {
  wait?: boolean;
  timeout: string;
  /** How --wait shows the rollout. @defaultValue 'auto': `tty` when stdout is a terminal, else `plain` */
  progress: 'auto' | 'tty' | 'plain';
}

/** Adds --wait, --timeout and --progress to `sync` and `rollback`. */
export function withWaitOptions(command: Command, what: string): Command {
  return command
    .option('--wait', `follow the ${what} until it finishes, showing objects applied and pods becoming ready; exit 1 unless it ends Healthy (a rollback included)`)
    .option('--timeout <duration>', 'with --wait: give up waiting after this long (e.g. 90s, 10m)', '10m')
    .addOption(new Option('--progress <mode>', 'with --wait: a live status line (tty) or one line per event (plain)').choices(['auto', 'tty', 'plain']).default('auto'));
}

export function registerSync(program: Command): void {
  withWaitOptions(withClientOptions(program.command('sync <name>').description('sync an app to the newest commit now (clears a rollback pin)')), 'sync')
    .option('--prune', "prune this once past the prune guard (syncPolicy.allowEmpty / pruneLimit), even when the app's policy does not prune")
    .action(async (name: string, flags: WaitFlags & { prune?: boolean }) => {
      const client = await ApiClient.fromFlags('baton sync', flags);
      const body = flags.prune ? { prune: true } : undefined;
      if (!flags.wait) {
        const answer = await client.call('POST /apps/:name/sync', { params: { name }, body });
        report(flags, answer, `sync of ${answer.app} to ${shortRev(answer.revision)} queued${answer.unpinned ? ' (its rollback pin is cleared)' : ''}`);
        return;
      }
      await followSync(client, name, flags, async () => {
        const answer = await client.call('POST /apps/:name/sync', { params: { name }, body });
        report(flags, answer, `sync of ${answer.app} to ${shortRev(answer.revision)} queued${answer.unpinned ? ' (its rollback pin is cleared)' : ''}`);
        return answer;
      });
    });
}

export function report(flags: ClientFlags, answer: SyncRequested, text: string): void {
  process.stdout.write(flags.output === 'json' ? `${JSON.stringify(answer)}\n` : `${text}\n`);
}

/**
 * Subscribes to the app's events, then makes the request (so no event of its
 * sync can be missed), prints each event as it comes, and returns when a sync
 * that started after the request has finished. Exits 1 (via CliError) unless
 * it ended Succeeded and not Degraded.
 */
export async function followSync(client: ApiClient, name: string, flags: WaitFlags, request: () => Promise<SyncRequested>): Promise<void> {
  const timeoutMs = parseDuration(flags.timeout);
  const abort = new AbortController();
  let subscribed!: () => void;
  const ready = new Promise<void>((resolve) => (subscribed = resolve));
  let requested: SyncRequested | undefined;
  let started = false;
  let settle!: (outcome: Outcome | Error) => void;
  const finished = new Promise<Outcome | Error>((resolve) => (settle = resolve));
  const ours = (entry: RevisionHistoryEntry) => requested !== undefined && entry.startedAt >= requested.requestedAt;
  const mode = flags.progress === 'tty' || (flags.progress !== 'plain' && process.stdout.isTTY === true) ? 'tty' : 'plain';
  const view = flags.output === 'json' ? undefined : new SyncProgressView(process.stdout, mode);

  const stream = client.followEvents({
    app: name,
    signal: abort.signal,
    onSubscribed: subscribed,
    onEvent: (event) => {
      if (event.app !== name) return;
      if (event.type === 'sync.started') started = true;
      if (view) view.event(event);
      else process.stdout.write(`${JSON.stringify(event)}\n`);
      const entry = (event.data as { entry?: RevisionHistoryEntry } | undefined)?.entry;
      if (event.type === 'sync.recorded' && entry && ours(entry)) settle({ entry });
      if (event.type === 'app.deleted') settle(new CliError(`${client.command}: ${name} was removed from baton.yaml while waiting`));
    },
  });
  stream.then(
    () => settle(new CliError(`${client.command}: the server closed the event stream before the sync finished`)),
    (err: Error) => settle(err),
  );
  const timers: NodeJS.Timeout[] = [];
  // Set once the outcome is known: a poll still in flight then schedules nothing more.
  let over = false;
  try {
    const first = await Promise.race([ready.then(() => undefined), finished]);
    if (first instanceof Error) throw first;
    requested = await request();
    const startedWaiting = Date.now();
    timers.push(setTimeout(() => settle(new CliError(`${client.command}: gave up waiting after ${flags.timeout}; the sync goes on (\`baton app ${name}\`)`)), timeoutMs));
    // A sync that ends without a history entry (skipped, or refused before applying) sends no sync.recorded: look now and then.
    const poll = async (): Promise<void> => {
      const app = await client.call('GET /apps/:name', { params: { name } });
      if (app.pendingSync !== null) {
        if (!started && app.pendingSync === 'waiting' && Date.now() - startedWaiting > 15_000) {
          process.stderr.write(`${name}: still queued; is a worker running? (\`baton up\` runs one, or \`baton worker\`)\n`);
          started = true;
        }
        return;
      }
      const [entry] = await client.call('GET /apps/:name/history', { params: { name }, query: { limit: 1 } });
      settle(entry && ours(entry) ? { entry } : { app });
    };
    const tick = () => {
      if (over) return;
      poll().then(
        () => {
          if (!over) timers.push(setTimeout(tick, 2000));
        },
        (err: Error) => settle(err),
      );
    };
    timers.push(setTimeout(tick, 1000));
    const outcome = await finished;
    view?.end();
    if (outcome instanceof Error) throw outcome;
    conclude(client.command, name, flags, outcome);
  } finally {
    view?.end();
    over = true;
    for (const t of timers) clearTimeout(t);
    abort.abort();
    await stream.catch(() => undefined);
  }
}

type Outcome = { entry: RevisionHistoryEntry } | { app: AppDetail };

function conclude(command: string, name: string, flags: ClientFlags, outcome: Outcome): void {
  if ('entry' in outcome) {
    const { entry } = outcome;
    if (flags.output === 'json') process.stdout.write(`${JSON.stringify(entry)}\n`);
    if (entry.result !== 'Succeeded') throw new CliError(`${command}: ${name} ${entry.result === 'RolledBack' ? 'was rolled back' : 'failed'}: ${entry.message}`);
    if (flags.output !== 'json') process.stdout.write(`${name} is Healthy at ${shortRev(entry.revision)}\n`);
    return;
  }
  const { app } = outcome;
  if (flags.output === 'json') process.stdout.write(`${JSON.stringify(app)}\n`);
  if (app.syncStatus !== 'Synced' || app.health === 'Degraded') {
    throw new CliError(`${command}: ${name} is ${app.syncStatus}, ${app.health}${app.message ? `: ${app.message}` : ''}`);
  }
  if (flags.output !== 'json') process.stdout.write(`${name} is ${app.syncStatus} and ${app.health} at ${shortRev(app.revision)}\n`);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2] ?? 's'] : NaN;
  if (!(ms > 0)) throw new CliError(`--timeout must be a duration such as 90s or 10m, got "${text}"`);
  return ms;
}
