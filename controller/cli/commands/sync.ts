import type { Command } from 'commander';
import type { AppDetail } from '../../api/index.js';
import type { RevisionHistoryEntry, StateEvent } from '../../state/index.js';
import { ApiClient, firstLine, shortRev, withClientOptions, type ClientFlags } from '../api-client.js';
import { CliError } from '../cli-error.js';

/** What `POST …/sync` and `POST …/rollback` answer. */
export interface SyncRequested {
  app: string;
  revision: string;
  jobId: string;
  seq: number;
  /** Server time of the request: a sync that started before it does not serve it. */
  requestedAt: string;
}

export interface WaitFlags extends ClientFlags {
  wait?: boolean;
  timeout: string;
}

export function registerSync(program: Command): void {
  withClientOptions(program.command('sync <name>').description('sync an app to the newest commit now (clears a rollback pin)'))
    .option('--wait', 'follow the sync until it finishes; exit 1 unless it ends Healthy')
    .option('--timeout <duration>', 'with --wait: give up waiting after this long (e.g. 90s, 10m)', '10m')
    .action(async (name: string, flags: WaitFlags) => {
      const client = await ApiClient.fromFlags('baton sync', flags);
      const path = `/api/v1/apps/${encodeURIComponent(name)}/sync`;
      if (!flags.wait) {
        const answer = await client.post<SyncRequested & { unpinned: boolean }>(path);
        report(flags, answer, `sync of ${answer.app} to ${shortRev(answer.revision)} queued${answer.unpinned ? ' (its rollback pin is cleared)' : ''}`);
        return;
      }
      await followSync(client, name, flags, async () => {
        const answer = await client.post<SyncRequested & { unpinned: boolean }>(path);
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

  const stream = client.followEvents({
    app: name,
    signal: abort.signal,
    onSubscribed: subscribed,
    onEvent: (event) => {
      if (event.app !== name) return;
      if (event.type === 'sync.started') started = true;
      print(flags, event);
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
      const app = await client.get<AppDetail>(`/api/v1/apps/${encodeURIComponent(name)}`);
      if (app.pendingSync !== null) {
        if (!started && app.pendingSync === 'waiting' && Date.now() - startedWaiting > 15_000) {
          process.stderr.write(`${name}: still queued; is a worker running? (\`baton up\` runs one, or \`baton worker\`)\n`);
          started = true;
        }
        return;
      }
      const [entry] = await client.get<RevisionHistoryEntry[]>(`/api/v1/apps/${encodeURIComponent(name)}/history?limit=1`);
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
    if (outcome instanceof Error) throw outcome;
    conclude(client.command, name, flags, outcome);
  } finally {
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

function print(flags: ClientFlags, event: StateEvent): void {
  if (flags.output === 'json') {
    process.stdout.write(`${JSON.stringify(event)}\n`);
    return;
  }
  const line = describe(event);
  if (line) process.stdout.write(`${event.time.slice(11, 19)}  ${event.app ?? ''}  ${line}\n`);
}

/** An event in words, or '' when it says nothing a person waiting on a sync cares about. */
export function describe(event: StateEvent): string {
  const data = (event.data ?? {}) as Record<string, unknown>;
  switch (event.type) {
    case 'sync.started':
      return `syncing to ${shortRev(data.revision as string)} (${String(data.trigger ?? 'unknown trigger')})`;
    case 'sync.recorded': {
      const entry = data.entry as RevisionHistoryEntry | undefined;
      if (!entry) return 'sync recorded';
      return `${entry.result} at ${shortRev(entry.revision)} after ${(entry.durationMs / 1000).toFixed(1)}s${entry.message ? `: ${firstLine(entry.message, 200)}` : ''}`;
    }
    case 'app.updated': {
      const parts = [data.syncStatus, data.health].filter((v) => typeof v === 'string');
      const message = typeof data.message === 'string' && data.message ? firstLine(data.message, 200) : '';
      if (parts.length === 0 && !message) return '';
      return [parts.join(', '), message].filter(Boolean).join(': ');
    }
    case 'app.deleted':
      return 'removed (no longer declared in baton.yaml)';
    default:
      return event.type;
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2] ?? 's'] : NaN;
  if (!(ms > 0)) throw new CliError(`--timeout must be a duration such as 90s or 10m, got "${text}"`);
  return ms;
}
