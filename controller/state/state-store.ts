import type { Redis } from 'ioredis';
import { leaseRedis, type RedisLease } from '../redis/shared-redis.js';
import { runScript } from '../redis/run-script.js';
import { initialAppStatus, type AppOrigin, type AppStatus } from './app-status.js';
import { readEvents, subscribeEvents } from './event-stream.js';
import type { HealthyManifests, RevisionHistoryEntry } from './revision-history.js';
import type { StateEvent, StateEventInput, StateEventListener, StateSubscription } from './state-event.js';
import { APP_REPOS_KEY, APPS_KEY, appKeys, EVENTS_KEY, OBSERVED_KEY, OBSERVED_SEQ_KEY } from './state-keys.js';
import { ENSURE_APPS, MARK_OBSERVED, READ_FIELDS, UPDATE_APP, UPDATE_APPS } from './state-scripts.js';
import { SecretEnvelope } from '../../runtime/index.js';
import { openSecrets, sealSecrets } from './sealed-secrets.js';
import { censorValue } from '../censor/censor.js';

export interface StateStoreOptions {
  /** Where Redis is (see parseRedisUrl). */
  redisUrl: string;
  /** History entries kept per app, newest first. @defaultValue 100 */
  historyLimit?: number;
  /** Healthy revisions whose manifests are kept per app, for rollbacks. @defaultValue 10 */
  healthyLimit?: number;
  /** Events kept for replay (approximately). @defaultValue 10000 */
  eventsMaxLen?: number;
  /**
   * Directory of the key (`secrets-key`, made on first use) that seals Secret values in kept manifests.
   * Without it they are kept as rendered (tests that read Redis directly).
   * @defaultValue undefined
   */
  secretsKeyDir?: string;
}

/** What registers an app (ensureApp). */
export type AppIdentity = Pick<AppStatus, 'name' | 'namespace' | 'cluster'> & { origin?: AppOrigin };

/** A field getAppFields reads as it is kept (observedRevision also depends on its repository's mark). */
export type StatusField = Exclude<keyof AppStatus, 'name' | 'observedRevision'>;

/** Fields of an app's status that can change; `undefined` clears an optional field. */
export type AppStatusPatch = Partial<Omit<AppStatus, 'name'>>;

export interface RecordSyncInput {
  entry: Omit<RevisionHistoryEntry, 'id'>;
  /** Status fields that change with this sync, e.g. revision, syncStatus, health, lastSync. */
  status?: AppStatusPatch;
  /** The objects of a revision that went healthy, kept for rollbacks. */
  healthy?: Omit<HealthyManifests, 'recordedAt'>;
}

/**
 * baton's controller state in Redis, under `baton:` keys: each app's status,
 * its revision history, the manifests of its last healthy revisions, and an
 * event stream. Changes that touch several keys are applied atomically by a
 * script in Redis. It survives controller restarts, and Redis restarts too
 * (append-only file).
 */
export class StateStore {
  private readonly lease: RedisLease;
  private readonly redis: Redis;
  private readonly historyLimit: number;
  private readonly healthyLimit: number;
  private readonly eventsMaxLen: number;
  private readonly envelope?: SecretEnvelope;

  constructor(options: StateStoreOptions) {
    this.lease = leaseRedis(options.redisUrl);
    this.redis = this.lease.redis;
    this.historyLimit = options.historyLimit ?? 100;
    this.healthyLimit = options.healthyLimit ?? 10;
    this.eventsMaxLen = options.eventsMaxLen ?? 10_000;
    this.envelope = options.secretsKeyDir ? SecretEnvelope.open(options.secretsKeyDir, 'secrets-key') : undefined;
  }

  /**
   * Adds an app with an Unknown status, or refreshes namespace, cluster and origin of a known one.
   * `origin` defaults to a branch's app. Returns true when new.
   */
  async ensureApp(app: AppIdentity): Promise<boolean> {
    return (await this.ensureApps([app]))[0];
  }

  /** ensureApp for each app, in one call to Redis (a commit that declares 1,000 new apps). */
  async ensureApps(apps: readonly AppIdentity[]): Promise<boolean[]> {
    if (apps.length === 0) return [];
    const entries = apps.map((app) => {
      const status = initialAppStatus(app);
      return { name: app.name, defaults: encodeFields(status), namespace: JSON.stringify(app.namespace), cluster: JSON.stringify(app.cluster), origin: JSON.stringify(status.origin) };
    });
    const keys = apps.map((app) => appKeys(app.name).status);
    const created = (await runScript(this.redis, ENSURE_APPS, 3 + keys.length, APPS_KEY, EVENTS_KEY, OBSERVED_SEQ_KEY, ...keys, JSON.stringify(entries), new Date().toISOString(), this.eventsMaxLen)) as number[];
    return created.map((c) => c === 1);
  }

  async getApp(name: string): Promise<AppStatus | undefined> {
    return (await this.getApps([name]))[0];
  }

  /**
   * getApp for each name, in one round trip; undefined for unknown apps. An app's
   * `observedRevision` is its repository's mark when that is newer (markObserved).
   */
  async getApps(names: readonly string[]): Promise<(AppStatus | undefined)[]> {
    if (names.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const name of names) pipeline.hgetall(appKeys(name).status);
    pipeline.hmget(APP_REPOS_KEY, ...names);
    pipeline.hgetall(OBSERVED_KEY);
    const replies = (await pipeline.exec()) ?? [];
    for (const [err] of replies) if (err) throw err;
    const repositories = replies[names.length][1] as (string | null)[];
    const marks = replies[names.length + 1][1] as Record<string, string>;
    return names.map((_, i) => {
      const fields = replies[i][1] as Record<string, string> | null;
      if (!fields || Object.keys(fields).length === 0) return undefined;
      const mark = repositories[i] === null ? undefined : marks[repositories[i]!];
      return decodeStatus(fields, mark === undefined ? undefined : (JSON.parse(mark) as ObservedMark));
    });
  }

  /**
   * Some fields of each app's status, in one round trip; undefined for unknown apps. For readers that
   * go over every app often (the drift check, 1,000 apps every round): the whole status is ~26 strings
   * an app to parse, here one JSON text an app (READ_FIELDS). `observedRevision` is not among them (see getApps).
   */
  async getAppFields<F extends StatusField>(names: readonly string[], fields: readonly F[]): Promise<(Pick<AppStatus, 'name' | F> | undefined)[]> {
    if (names.length === 0) return [];
    const keys = names.map((name) => appKeys(name).status);
    const replies = (await runScript(this.redis, READ_FIELDS, keys.length, ...keys, ...fields)) as (string | null)[];
    return names.map((name, i) => {
      const json = replies[i];
      if (!json) return undefined;
      const status = JSON.parse(json) as Pick<AppStatus, 'name' | F>;
      status.name = name;
      return status;
    });
  }

  /** Every known app, by name. */
  async listApps(): Promise<AppStatus[]> {
    const names = (await this.redis.smembers(APPS_KEY)).sort();
    return (await this.getApps(names)).filter((app): app is AppStatus => app !== undefined);
  }

  /** Changes status fields and announces them (`app.updated`). False when the app is unknown. */
  async updateApp(name: string, patch: AppStatusPatch): Promise<boolean> {
    const reply = await this.runUpdate(name, { status: patch, eventType: 'app.updated', eventData: patch });
    return reply !== null;
  }

  /**
   * updateApp for each app, in one call to Redis: each app changed gets its own
   * `app.updated` event, as from updateApp. Returns, in order, false for each unknown app.
   */
  async updateApps(patches: readonly (readonly [name: string, patch: AppStatusPatch])[]): Promise<boolean[]> {
    if (patches.length === 0) return [];
    // Most batches give every app the same patch (the commit observed): it is censored and encoded once.
    const encoded = new Map<AppStatusPatch, { set: [string, string][]; del: string[]; observed?: true; data: string }>();
    const apps = patches.map(([app, patch]) => {
      let fields = encoded.get(patch);
      if (!fields) {
        const censored = censorValue(patch);
        fields = { set: encodeFields(censored), del: deletedFields(patch), ...observes(patch), data: JSON.stringify(censored) };
        encoded.set(patch, fields);
      }
      return { app, ...fields };
    });
    const op = { apps, eventType: 'app.updated', time: new Date().toISOString(), eventsMaxLen: this.eventsMaxLen };
    const keys = patches.map(([name]) => appKeys(name).status);
    const changed = (await runScript(this.redis, UPDATE_APPS, 2 + keys.length, EVENTS_KEY, OBSERVED_SEQ_KEY, ...keys, JSON.stringify(op))) as number[];
    return changed.map((c) => c === 1);
  }

  /**
   * Marks every app `repository` declares as having seen `revision`, in one write and one
   * `repository.observed` event: the app controller planned each of them at it, and those
   * whose inputs did not change are not written one by one (1,000 writes and events a commit).
   * Reads give an app the mark's revision unless its own was written later.
   */
  async markObserved(repository: string, revision: string): Promise<void> {
    await runScript(this.redis, MARK_OBSERVED, 3, OBSERVED_KEY, OBSERVED_SEQ_KEY, EVENTS_KEY, repository, revision, new Date().toISOString(), this.eventsMaxLen);
  }

  /**
   * Records a finished sync in one step: a history entry (numbered here),
   * the status fields it changed and, for a healthy revision, its manifests.
   * Returns the entry, or undefined when the app is unknown (deleted meanwhile).
   */
  async recordSync(name: string, input: RecordSyncInput): Promise<RevisionHistoryEntry | undefined> {
    const reply = await this.runUpdate(name, {
      status: input.status ?? {},
      history: input.entry,
      healthy: input.healthy,
      eventType: 'sync.recorded',
      eventData: input.status ?? null,
    });
    return reply ? { id: reply[0], ...input.entry } : undefined;
  }

  /** The app's history, newest first. */
  async getHistory(name: string, limit = this.historyLimit): Promise<RevisionHistoryEntry[]> {
    const entries = await this.redis.lrange(appKeys(name).history, 0, limit - 1);
    return entries.map((e) => JSON.parse(e) as RevisionHistoryEntry);
  }

  /** The manifests of `revision` if it went healthy and is still kept, else of the newest healthy revision. */
  async getHealthyManifests(name: string, revision?: string): Promise<HealthyManifests | undefined> {
    const keys = appKeys(name);
    const rev = revision ?? (await this.redis.lindex(keys.healthyOrder, 0));
    if (!rev) return undefined;
    const json = await this.redis.hget(keys.healthy, rev);
    if (!json) return undefined;
    const kept = JSON.parse(json) as HealthyManifests;
    return this.envelope ? { ...kept, objects: openSecrets(kept.objects, this.envelope) } : kept;
  }

  /** Revisions whose manifests are kept, newest first. */
  async listHealthyRevisions(name: string): Promise<string[]> {
    return this.redis.lrange(appKeys(name).healthyOrder, 0, -1);
  }

  /** Forgets an app entirely (it left baton.yaml) and announces it (`app.deleted`). */
  async deleteApp(name: string): Promise<void> {
    const keys = appKeys(name);
    await this.redis
      .multi()
      .del(keys.status, keys.history, keys.historySeq, keys.healthy, keys.healthyOrder)
      .srem(APPS_KEY, name)
      .xadd(EVENTS_KEY, 'MAXLEN', '~', this.eventsMaxLen, '*', 'type', 'app.deleted', 'app', name, 'time', new Date().toISOString())
      .exec();
  }

  /** Appends an event to the stream; returns its id. */
  async publish(event: StateEventInput): Promise<string> {
    const fields = ['type', event.type, 'time', event.time ?? new Date().toISOString()];
    if (event.app) fields.push('app', event.app);
    if (event.data !== undefined) fields.push('data', JSON.stringify(censorValue(event.data)));
    return (await this.redis.xadd(EVENTS_KEY, 'MAXLEN', '~', this.eventsMaxLen, '*', ...fields))!;
  }

  /**
   * Calls `listener` with each event published after `after` (a StateEvent id;
   * default: from now on), in order, until the subscription is closed.
   */
  subscribe(listener: StateEventListener, options: { after?: string } = {}): Promise<StateSubscription> {
    return subscribeEvents(this.redis, EVENTS_KEY, listener, options.after);
  }

  /** Up to `count` events after `after` (exclusive), oldest first. @defaultValue after '0-0', count 1000 */
  readEvents(options: { after?: string; count?: number } = {}): Promise<StateEvent[]> {
    return readEvents(this.redis, EVENTS_KEY, options.after ?? '0-0', options.count ?? 1000);
  }

  /**
   * Seals the Secret values of every kept manifest under a new secrets key,
   * then drops the old key (`baton up --rotate-secrets-key`, before anything
   * else reads the store). Returns how many kept revisions were sealed again.
   */
  async rotateSecretsKey(): Promise<number> {
    const envelope = this.envelope;
    if (!envelope) throw new Error('this state store has no secrets key to rotate');
    envelope.rotate();
    let resealed = 0;
    for (const name of await this.redis.smembers(APPS_KEY)) {
      const key = appKeys(name).healthy;
      for (const [revision, json] of Object.entries(await this.redis.hgetall(key))) {
        const kept = JSON.parse(json) as HealthyManifests;
        const objects = sealSecrets(openSecrets(kept.objects, envelope), envelope);
        await this.redis.hset(key, revision, JSON.stringify({ ...kept, objects }));
        resealed++;
      }
    }
    envelope.forgetOldKeys();
    return resealed;
  }

  async close(): Promise<void> {
    await this.lease.release();
  }

  private async runUpdate(
    name: string,
    op: {
      status: AppStatusPatch;
      history?: Omit<RevisionHistoryEntry, 'id'>;
      healthy?: Omit<HealthyManifests, 'recordedAt'>;
      eventType: string;
      eventData: unknown;
    },
  ): Promise<[number, string] | null> {
    const keys = appKeys(name);
    const time = new Date().toISOString();
    // Messages quote pods and errors: what baton knows is secret is censored before it is kept, served or streamed.
    const set = encodeFields(censorValue(op.status));
    const del = deletedFields(op.status);
    const script = {
      app: name,
      set,
      del,
      ...observes(op.status),
      history: op.history ? JSON.stringify(censorValue(op.history)) : undefined,
      historyLimit: this.historyLimit,
      healthyRevision: op.healthy?.revision,
      healthyJson: op.healthy ? JSON.stringify({ ...op.healthy, objects: this.envelope ? sealSecrets(op.healthy.objects, this.envelope) : op.healthy.objects, recordedAt: time }) : undefined,
      healthyLimit: this.healthyLimit,
      eventType: op.eventType,
      eventData: op.eventData === undefined || op.eventData === null ? undefined : JSON.stringify(censorValue(op.eventData)),
      time,
      eventsMaxLen: this.eventsMaxLen,
    };
    const reply = await runScript(
      this.redis,
      UPDATE_APP,
      7,
      keys.status,
      keys.history,
      keys.historySeq,
      keys.healthy,
      keys.healthyOrder,
      EVENTS_KEY,
      OBSERVED_SEQ_KEY,
      JSON.stringify(script),
    );
    return reply as [number, string] | null;
  }
}

/** Status fields as hash entries, each value JSON so nulls and numbers survive. */
function encodeFields(status: AppStatusPatch): [string, string][] {
  return Object.entries(status)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => [field, JSON.stringify(value)]);
}

/** The fields a patch clears (`undefined` values). */
function deletedFields(patch: AppStatusPatch): string[] {
  return Object.entries(patch)
    .filter(([, value]) => value === undefined)
    .map(([field]) => field);
}

/** A repository's mark (markObserved): every app of it has seen `revision`. */
interface ObservedMark {
  revision: string;
  seq: number;
}

/** A patch that sets `observedRevision` orders itself against repository marks (`observedSeq`). */
function observes(patch: AppStatusPatch): { observed?: true } {
  return patch.observedRevision ? { observed: true } : {};
}

/** The status kept in Redis; its `observedSeq` (bookkeeping, not status) decides whether `mark` is newer. */
function decodeStatus(fields: Record<string, string>, mark?: ObservedMark): AppStatus {
  const decoded: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) if (field !== 'observedSeq') decoded[field] = JSON.parse(value);
  if (mark && mark.seq > Number(fields.observedSeq ?? 0)) decoded.observedRevision = mark.revision;
  return decoded as unknown as AppStatus;
}
