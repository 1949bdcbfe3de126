import { createHash } from 'node:crypto';
import type { LogLineContext } from '../../../controller/apps/app-log.js';
import type { AppSpec } from '../../../controller/apps/app-spec.js';
import { previewAppName } from '../../../controller/apps/preview-names.js';
import type { PreviewRecord } from '../../../controller/previews/preview-record.js';
import type { SyncJobData, SyncOutcome, SyncTrigger } from '../../../controller/queue/sync-job.js';
import type { SyncPorts } from '../../../controller/sync/ports/sync-ports.js';
import { reconcileApp } from '../../../controller/sync/reconcile-app.js';
import { FakeCluster, FakeClusters } from './fake-cluster.js';
import { FakeRenderer } from './fake-renderer.js';
import { FakeSource } from './fake-source.js';
import { FakeState } from './fake-state.js';
import { ManualClock } from './manual-clock.js';

/** A full commit id made from a word, so messages show its 7-digit short form. */
export function commitId(word: string): string {
  return createHash('sha1').update(word).digest('hex');
}

/** An app as `baton.yaml` would declare it, every default filled in. */
export function appSpec(name: string, overrides: Partial<AppSpec> = {}): AppSpec {
  return {
    name,
    repository: 'shop',
    path: `apps/${name}`,
    namespace: name,
    cluster: 'local',
    values: [],
    set: {},
    syncPolicy: { automated: true, prune: true, selfHeal: true, allowEmpty: false, pruneLimit: '50%' },
    rollout: { progressDeadlineSeconds: 120, autoRollback: true },
    dependsOn: [],
    preview: { enabled: false, values: {} },
    ...overrides,
  };
}

export interface RunOptions {
  trigger?: SyncTrigger;
  /** The revision the job names. @defaultValue the repository's head */
  revision?: string;
  signal?: AbortSignal;
  /** The job forces prune (`baton sync NAME --prune`). @defaultValue false */
  prune?: boolean;
}

/**
 * The app sync over fakes: one repository `shop` whose branch head and
 * `baton.yaml` per commit the test sets, a cluster `local`, state in memory,
 * a manual clock. `run` serves one sync job as the worker would.
 */
export function syncWorld() {
  const source = new FakeSource();
  const state = new FakeState();
  const cluster = new FakeCluster('local');
  const clusters = new FakeClusters(cluster);
  const renderer = new FakeRenderer();
  const clock = new ManualClock();
  /** What the sync told a person: each line with the fields it is about. */
  const logs: { line: string; context?: LogLineContext }[] = [];
  const ports: SyncPorts = { source, renderer, clusters, state, clock, log: (line, context) => logs.push({ line, ...(context ? { context } : {}) }), retryMs: 3000 };
  const sync = reconcileApp(ports);
  source.addRepository('shop');
  let seq = 0;

  return {
    source,
    state,
    cluster,
    clusters,
    renderer,
    clock,
    logs,
    ports,
    /** A commit on the branch declaring `apps` (each registered with the controller), now the head. */
    push(word: string, apps: AppSpec[]): string {
      const revision = commitId(word);
      source.commit(revision, apps);
      source.setHead('shop', revision);
      for (const app of apps) {
        source.appRepositories.set(app.name, 'shop');
        if (!state.apps.has(app.name)) state.addApp(app.name, { namespace: app.namespace, cluster: app.cluster });
      }
      return revision;
    },
    /** Opens request `number` previewing `apps`, with its head at `revision`. */
    openPreview(number: number, revision: string, apps: string[], more: Partial<PreviewRecord> = {}): PreviewRecord {
      const record: PreviewRecord = {
        number,
        repository: 'shop',
        provider: 'github',
        title: 'a change',
        author: 'alice',
        branch: 'feature',
        headFetchRef: `refs/pull/${number}/head`,
        headSha: revision,
        requestUrl: `https://example.test/pull/${number}`,
        fromFork: false,
        labels: [],
        apps: apps.map((a) => previewAppName(number, a)),
        openedAt: new Date(0).toISOString(),
        updatedAt: new Date(0).toISOString(),
        ...more,
      };
      source.openPreview(record);
      for (const app of apps) {
        const name = previewAppName(number, app);
        // Registered as the preview controller does: the origin is recorded with the app.
        if (!state.apps.has(name)) state.addApp(name, { namespace: `pr-${number}`, origin: { kind: 'preview', number, app } });
      }
      return record;
    },
    run(app: string, options: RunOptions = {}): Promise<SyncOutcome> {
      const request: SyncJobData = {
        app,
        revision: options.revision ?? source.repositories.get('shop')?.revision ?? commitId('none'),
        trigger: options.trigger ?? 'poll',
        seq: ++seq,
        requestedAt: clock.now().toISOString(),
        ...(options.prune ? { prune: true } : {}),
      };
      return sync(request, { jobId: String(seq), attempt: 1, signal: options.signal ?? new AbortController().signal });
    },
  };
}

export type SyncWorld = ReturnType<typeof syncWorld>;
