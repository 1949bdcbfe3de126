import type { KubernetesObject } from '@kubernetes/client-node';
import type { LogLine } from '../apps/app-log.js';
import type { AppSpec, HealthStatus } from '../apps/app-spec.js';
import type { ClusterTarget } from '../clusters/cluster-target.js';
import { readLiveCounterparts, withNamespace } from '../clusters/live-objects.js';
import { assessAppHealth } from '../health/assess-health.js';
import { WORKLOAD_KINDS } from '../health/rollout-status.js';
import type { SyncQueue } from '../queue/sync-queue.js';
import type { AppStatus } from '../state/app-status.js';
import type { HealthyManifests } from '../state/revision-history.js';
import type { StateStore } from '../state/state-store.js';
import { isClusterScoped } from '../../runtime/kube/cluster-scoped.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { shortRevision } from '../../runtime/kube/revision.js';
import { diffObjects } from './diff/diff-objects.js';
import { failedRevisionLeftLive, failedRevisionRetry } from './failed-revision-retry.js';
import { liveStamp } from './live-stamp.js';

export interface DriftCheckOptions {
  state: Pick<StateStore, 'getAppFields' | 'getApp' | 'getHealthyManifests' | 'getHistory' | 'updateApp'>;
  queue: Pick<SyncQueue, 'pendingState' | 'enqueue'>;
  log: LogLine;
  /** The cluster target an app's `cluster` names. */
  cluster: (name: string) => Promise<ClusterTarget>;
  /** The apps known now, by name (read at the start of each round). */
  apps: () => Iterable<readonly [string, AppSpec]>;
  /** Whether the controller is closing (a round stops between apps). */
  closed: () => boolean;
}

/** Apps whose statuses a drift check reads in one round trip. */
const STATUS_CHUNK = 100;
/** What a round reads of each app's status: the whole of it was most of a round's garbage (~26 strings an app). */
const STATUS_FIELDS = ['revision', 'syncStatus', 'health', 'message', 'lastSync', 'manifestDigest', 'pinnedRevision', 'lastFailedRevision'] as const;
type DriftStatus = Pick<AppStatus, 'name' | (typeof STATUS_FIELDS)[number]>;
/** Objects whose live counterparts are read at once, across apps (one list per kind and namespace where several share them). */
const OBJECTS_AT_ONCE = 2_000;

/**
 * What a drift check remembers of an app between rounds, for the kept manifests it last compared:
 * the objects' identities (what to read, what health assesses) and, once live was found in sync
 * with them, a stamp of the live objects (liveStamp). Live with the same stamp is the very same
 * objects, so the diff would say in sync again: the kept manifests are neither read nor compared.
 */
interface Remembered {
  /** The status fields the kept manifests were chosen by (a sync that ends changes `lastSync`), kept apart: joined, they were a new string an app every round. */
  revision: string;
  manifestDigest: string | null;
  lastSync: string | null;
  /** Header-only objects (apiVersion, kind, namespace, name); undefined when no kept manifests stand for the revision. */
  refs: KubeObject[] | undefined;
  stamp?: string;
  /** The health assessed from live objects with that stamp. */
  health?: { status: HealthStatus; message: string };
}

/** An app due for a comparison in this round. */
interface Due {
  spec: AppSpec;
  status: DriftStatus;
  memo: Remembered;
  refs: KubeObject[];
}

/**
 * selfHeal: live objects that drifted from the last applied manifests are applied again; health is refreshed.
 * A round reads statuses a chunk of apps at a time, then the live objects of a batch of apps at once (one list
 * per kind and namespace instead of a GET per app), then compares each app. A status read that early is
 * checked again before anything is written (sameRevision).
 */
export class DriftCheck {
  private readonly remembered = new Map<string, Remembered>();

  constructor(private readonly options: DriftCheckOptions) {}

  async round(): Promise<void> {
    const specs = new Map(this.options.apps());
    for (const name of this.remembered.keys()) if (!specs.has(name)) this.remembered.delete(name);
    const names = [...specs.keys()];
    let batch: Due[] = [];
    let objects = 0;
    for (let i = 0; i < names.length; i += STATUS_CHUNK) {
      const chunk = names.slice(i, i + STATUS_CHUNK);
      const statuses = await this.options.state.getAppFields(chunk, STATUS_FIELDS);
      for (const [j, name] of chunk.entries()) {
        if (this.options.closed()) return;
        const spec = specs.get(name);
        const status = statuses[j];
        const due = spec && status && (await this.due(spec, status));
        if (!due) continue;
        batch.push(due);
        objects += due.refs.length;
        if (objects < OBJECTS_AT_ONCE) continue;
        await this.compareBatch(batch);
        batch = [];
        objects = 0;
      }
    }
    await this.compareBatch(batch);
  }

  /** The app with its kept objects' identities, when its live objects are to be compared in this round. */
  private async due(spec: AppSpec, status: DriftStatus): Promise<Due | undefined> {
    const name = status.name;
    if (!status.revision) return undefined;
    // An app with a sync queued or running is left alone: asked here only before a retry, else before anything is
    // written (pendingState is two Redis round trips, ~2,000 a round when asked of every app).
    if (spec.syncPolicy.automated && failedRevisionLeftLive(status)) {
      if ((await this.options.queue.pendingState(name)) !== undefined) return undefined;
      if (await this.retryFailedRevision(status)) return undefined;
    }
    // A rollback's pin is OutOfSync with the branch but still the desired state: heal it too.
    if (status.syncStatus !== 'Synced' && status.pinnedRevision === undefined) return undefined;
    const { revision, manifestDigest, lastSync } = status;
    const memo = this.remembered.get(name);
    if (memo?.revision === revision && memo.manifestDigest === manifestDigest && memo.lastSync === lastSync) return memo.refs && { spec, status, memo, refs: memo.refs };
    // Only the identities are held until the batch is compared: the kept objects would outlive several young-generation GCs.
    const refs = (await this.keptObjects(status))?.map((o) => header(o, spec.namespace));
    const fresh: Remembered = { revision, manifestDigest, lastSync, refs };
    this.remembered.set(name, fresh);
    return refs && { spec, status, memo: fresh, refs };
  }

  /**
   * The kept manifests that stand for the app's revision. A sync that found live already in sync (a commit that
   * renders the same, a fixed baton.yaml) moved the revision without keeping its manifests again: the newest
   * kept ones stand for it when their digest is the same.
   */
  private async keptObjects(status: DriftStatus): Promise<KubeObject[] | undefined> {
    const kept: HealthyManifests | undefined =
      (await this.options.state.getHealthyManifests(status.name, status.revision ?? undefined)) ?? (await this.options.state.getHealthyManifests(status.name));
    if (!kept || (kept.revision !== status.revision && kept.digest !== status.manifestDigest)) return undefined;
    return kept.objects;
  }

  /** Reads the batch's live objects, cluster by cluster, and compares each app. */
  private async compareBatch(batch: readonly Due[]): Promise<void> {
    const byCluster = new Map<string, Due[]>();
    for (const due of batch) {
      const apps = byCluster.get(due.spec.cluster);
      if (apps) apps.push(due);
      else byCluster.set(due.spec.cluster, [due]);
    }
    for (const [cluster, apps] of byCluster) {
      let target: ClusterTarget;
      let read;
      try {
        target = await this.options.cluster(cluster);
        read = await readLiveCounterparts(target, apps.flatMap((a) => a.refs));
      } catch (err) {
        for (const due of apps) this.options.log(`drift check failed: ${(err as Error).message}`, { app: due.status.name });
        continue;
      }
      let at = 0;
      for (const due of apps) {
        if (this.options.closed()) return;
        const from = at;
        at += due.refs.length;
        const failed = read.failures.size > 0 ? [...read.failures].find(([i]) => i >= from && i < at) : undefined;
        if (failed) {
          this.options.log(`drift check failed: ${failed[1].message}`, { app: due.status.name });
          continue;
        }
        const live = read.live.slice(from, at).filter((o): o is KubeObject => o !== undefined);
        await this.compare(target, due, live).catch((err: unknown) => this.options.log(`drift check failed: ${(err as Error).message}`, { app: due.status.name }));
      }
    }
  }

  private async compare(target: ClusterTarget, { spec, status, memo, refs }: Due, live: KubeObject[]): Promise<void> {
    const name = status.name;
    const stamp = live.length === refs.length ? liveStamp(live) : undefined;
    const unchanged = memo.stamp !== undefined && stamp === memo.stamp;
    if (!unchanged) {
      const kept = await this.keptObjects(status);
      if (!kept) return;
      const diff = diffObjects(withNamespace(kept, spec.namespace), live, { app: name });
      memo.stamp = diff.inSync ? stamp : undefined;
      memo.health = undefined;
      if (!diff.inSync) return this.drifted(spec, status, diff.objects.filter((o) => o.action !== 'unchanged').map((o) => `${o.kind}/${o.name} ${o.action}`));
    }
    // Health from the objects just read: each was read twice per check (2,000 GETs for 1,000 one-object apps).
    // Unchanged objects of kinds judged by themselves alone (not a workload, whose pods are read) are as healthy as last time.
    const judged =
      unchanged && memo.health && !refs.some((r) => WORKLOAD_KINDS.has(r.kind))
        ? memo.health
        : await assessAppHealth(target, refs as KubernetesObject[], spec.namespace, live as KubernetesObject[]);
    memo.health = judged;
    const { status: health, message } = judged;
    if (health === status.health && (health !== 'Degraded' || message === status.message)) return;
    if (!(await this.untouched(status))) return;
    // A Synced app's message is its health's: why it is Degraded (a pod crash-looping after the gate), or nothing.
    // A pinned app keeps the message saying how to follow the branch again.
    const said = status.syncStatus === 'Synced' ? { message: health === 'Degraded' ? message : '' } : {};
    if (health === 'Degraded' && health !== status.health) this.options.log(`became Degraded: ${message}`, { app: name, revision: status.revision ?? undefined });
    await this.options.state.updateApp(name, { health, ...said });
  }

  /** Records the drift and, with selfHeal, queues a sync of the same revision; unless a sync came meanwhile. */
  private async drifted(spec: AppSpec, status: DriftStatus, changed: string[]): Promise<void> {
    const name = status.name;
    if (!(await this.untouched(status))) return;
    if (spec.syncPolicy.selfHeal && spec.syncPolicy.automated) {
      this.options.log(`live objects drifted (${changed.join(', ')}); re-applying`, { app: name });
      await this.options.state.updateApp(name, { syncStatus: 'OutOfSync', message: `drifted: ${changed.join(', ')}` });
      await this.options.queue.enqueue({ app: name, revision: status.revision!, trigger: 'selfHeal', message: `drift: ${changed.join(', ')}` });
    } else {
      await this.options.state.updateApp(name, { syncStatus: 'OutOfSync', message: `drifted: ${changed.join(', ')}` });
    }
  }

  /** Whether no sync is queued or running and none ended since `status` was read (a batch of apps ago). */
  private async untouched(status: DriftStatus): Promise<boolean> {
    return (await this.options.queue.pendingState(status.name)) === undefined && (await this.sameRevision(status));
  }

  /** Whether no sync ended since `status` was read: same revision, sync status, pin, failed revision and last sync. */
  private async sameRevision(status: DriftStatus): Promise<boolean> {
    const now = await this.options.state.getApp(status.name);
    return (
      now !== undefined &&
      now.revision === status.revision &&
      now.syncStatus === status.syncStatus &&
      now.pinnedRevision === status.pinnedRevision &&
      now.lastFailedRevision === status.lastFailedRevision &&
      now.lastSync === status.lastSync
    );
  }

  /** Queues a retry of a failed revision left live when its back-off is over (failedRevisionRetry); true if it did. */
  private async retryFailedRevision(status: DriftStatus): Promise<boolean> {
    if (!failedRevisionLeftLive(status)) return false;
    const due = failedRevisionRetry(status, await this.options.state.getHistory(status.name, 10), new Date());
    if (!due || !(await this.sameRevision(status))) return false;
    const short = shortRevision(due.revision);
    this.options.log(`${short} failed ${due.failures === 1 ? 'once' : `${due.failures} times`} and stayed live (nothing to roll back to); trying it again`, {
      app: status.name,
      revision: due.revision,
      event: 'retry',
    });
    await this.options.queue.enqueue({ app: status.name, revision: due.revision, trigger: 'retry', message: `retry ${due.failures} of ${short}` });
    return true;
  }
}

/** What a drift check keeps of an object between rounds, with the app's namespace filled in as withNamespace does: enough to read it and to assess its health. */
function header(o: KubeObject, namespace: string): KubeObject {
  const ns = isClusterScoped(o.kind) ? o.metadata.namespace : o.metadata.namespace || namespace;
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, ...(ns ? { namespace: ns } : {}) } } as KubeObject;
}
