// The REST API's contract: every route under /api/v1 with its request and
// answer types. The server's handlers (api-route.ts), the CLI's client and the
// dashboard are all typed by it. Pure types, so the dashboard (lib DOM, no node
// types) imports it too: whatever it imports must stay free of node types.
import type { z } from 'zod';
import type { FieldChange } from '../../plan/diff/compare-fields.js';
import type { RevisionHistoryEntry } from '../../state/revision-history.js';
import type { StateEvent } from '../../state/state-event.js';
import type { AppResourceTree } from './contract-resource-tree.js';
import type { eventsQuery, historyQuery, logsQuery, rollbackBody, syncBody } from './request-schemas.js';

export type { FieldChange, RevisionHistoryEntry, StateEvent };
export type * from './contract-resource-tree.js';

/** The routes below, relative to this prefix. */
export type ApiPrefix = '/api/v1';

/** Every route: `METHOD /path` → its query, body and answer. */
export interface ApiRoutes {
  /** Apps other than previews' (those are listed by GET /previews). */
  'GET /apps': { answer: AppSummary[] };
  'GET /apps/:name': { answer: AppDetail };
  /** Newest first. */
  'GET /apps/:name/history': { query: WireQuery<typeof historyQuery>; answer: RevisionHistoryEntry[] };
  'GET /apps/:name/diff': { answer: AppDiffAnswer };
  /** text/plain: each container's last lines under a `==> namespace/pod container <==` header. */
  'GET /apps/:name/logs': { query: WireQuery<typeof logsQuery>; answer: string };
  /** 202; follows the branch again, clearing a rollback's pin. */
  'POST /apps/:name/sync': { body: z.infer<typeof syncBody>; answer: SyncAnswer };
  /** 202; no revision means the newest healthy one before the live one. */
  'POST /apps/:name/rollback': { body: z.infer<typeof rollbackBody>; answer: RollbackAnswer };
  'GET /apps/:name/resources': { answer: AppResourceTree };
  'GET /commits/:sha': { answer: CommitSummary };
  'GET /whoami': { answer: WhoAmI };
  'GET /previews': { answer: PreviewSummary[] };
  /** Server-sent events; each message's `data` is one StateEvent. */
  'GET /events': { query: WireQuery<typeof eventsQuery>; answer: StateEvent };
  /** 204; sets the queue board's cookie (deploy token only). */
  'POST /session': { answer: void };
  /** 204; clears it. */
  'DELETE /session': { answer: void };
}

export type ApiRoute = keyof ApiRoutes;
export type ApiMethod<K extends ApiRoute> = K extends `${infer M} ${string}` ? M : never;
export type ApiPath<K extends ApiRoute> = K extends `${string} ${infer P}` ? P : never;
export type ApiAnswer<K extends ApiRoute> = ApiRoutes[K]['answer'];
export type ApiQuery<K extends ApiRoute> = ApiRoutes[K] extends { query: infer Q } ? Q : never;
export type ApiBody<K extends ApiRoute> = ApiRoutes[K] extends { body: infer B } ? B : never;

/** `{name: string}` for `/apps/:name/history`. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [N in Name]: string } & PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [N in Name]: string }
    : Record<never, never>;

/** What a client passes to call a route: the path's params, and the query and body the route takes. */
export type ApiInput<K extends ApiRoute> = (keyof PathParams<ApiPath<K>> extends never ? { params?: never } : { params: PathParams<ApiPath<K>> }) &
  ([ApiQuery<K>] extends [never] ? { query?: never } : { query?: ApiQuery<K> }) &
  ([ApiBody<K>] extends [never] ? { body?: never } : { body?: ApiBody<K> });

/** A query as the URL carries it: the server coerces and checks strings (a bad `--limit` is its 400). */
type WireQuery<S extends z.ZodType> = { [F in keyof z.infer<S>]?: z.infer<S>[F] | string };

// The same unions as controller/apps/app-spec.ts, which the dashboard cannot import (it
// stands on the renderer); test/unit/controller/edges/api/contract.test.ts keeps them equal.
export type SyncStatus = 'Synced' | 'OutOfSync' | 'Syncing' | 'Unknown';
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Missing' | 'Unknown';

/** Any answer other than 2xx. `error` is a stable word a client can branch on. */
export interface ApiErrorBody {
  error: string;
  message: string;
}

/** One entry of `GET /apps`. */
export interface AppSummary {
  name: string;
  namespace: string;
  cluster: string;
  revision: string | null;
  syncStatus: SyncStatus;
  health: HealthStatus;
  message: string;
  lastSync: string | null;
  /**
   * What is wrong with reading the app's repository, the same on every app of it:
   * `source unreachable since 10:42: ECONNREFUSED` (UTC), or `branch main was
   * force-pushed: 1a2b3c4 is not an ancestor of 5d6e7f8`. Absent while it reads fine.
   */
  sourceMessage?: string;
}

/** `GET /apps/:name`: the summary and what else baton knows of the app. */
export interface AppDetail extends AppSummary {
  observedRevision: string | null;
  manifestDigest: string | null;
  /** Set by a rollback; the app stays at this revision until a manual sync. */
  pinnedRevision: string | null;
  lastFailedRevision: string | null;
  /** The state of the app's queued or running sync, null when none. */
  pendingSync: 'active' | 'waiting' | 'delayed' | null;
}

export type ObjectDiffAction = 'added' | 'changed' | 'removed' | 'unchanged';

/** How one object of an app stands (controller/plan/diff); never carries object bodies. */
export interface ObjectDiff {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  action: ObjectDiffAction;
  changes: FieldChange[];
}

/** `GET /apps/:name/diff`: what applying `revision` would change. */
export interface AppDiffAnswer {
  app: string;
  revision: string;
  /** Nothing added, changed or removed. */
  inSync: boolean;
  counts: Record<ObjectDiffAction, number>;
  /** In apply order. */
  objects: ObjectDiff[];
}

/** A sync or rollback was queued. */
export interface SyncRequested {
  app: string;
  revision: string;
  jobId: string;
  /** The job's place in the app's order of syncs. */
  seq: number;
  /** Server time of the request (ISO 8601): a sync that started before it does not serve it. */
  requestedAt: string;
}

export interface SyncAnswer extends SyncRequested {
  /** A rollback's pin was cleared. */
  unpinned: boolean;
}

export interface RollbackAnswer extends SyncRequested {
  pinned: true;
}

export type Role = 'deploy' | 'read-only';

/** `GET /whoami`: read-only tokens get no buttons. */
export interface WhoAmI {
  role: Role;
}

/** A commit as `GET /commits/:sha` answers it. */
export interface CommitSummary {
  sha: string;
  /** The whole message; its first line is the subject. */
  message: string;
  /** `Name <email>`. */
  author: string;
  /** ISO 8601 author time. */
  time: string;
}

/** One preview environment, as `GET /previews` lists it. */
export interface PreviewSummary {
  name: string;
  /** The app it previews. */
  app: string;
  /** The pull/merge request number. */
  number: number;
  namespace: string;
  revision: string | null;
  url: string | null;
  syncStatus: SyncStatus;
  health: HealthStatus;
  /** Why it is not Healthy, in words ('' when it is). */
  message: string;
  /** Id of the repository the request is against. */
  repository: string;
  /** The request's title, author, source branch and head commit. */
  title: string;
  author: string;
  branch: string;
  headSha: string;
  /** The request's page on the Git host. */
  requestUrl: string;
  fromFork: boolean;
  /** ISO 8601: when baton first saw the request open, and its last event. */
  openedAt: string;
  updatedAt: string;
}
