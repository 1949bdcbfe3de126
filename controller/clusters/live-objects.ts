import { classifyApiError, isNotFoundError } from './classify-api-error.js';
import { isClusterScoped } from '../../runtime/kube/cluster-scoped.js';
import type { ClusterTarget } from './cluster-target.js';
import { inPool } from './in-pool.js';
import type { KubeObject } from '../../runtime/kube/object.js';

/** A copy of each object with the app's namespace filled in where it names none, as apply does. */
export function withNamespace(objects: readonly KubeObject[], namespace: string): KubeObject[] {
  return objects.map((o) =>
    isClusterScoped(o.kind) || o.metadata.namespace ? o : { ...o, metadata: { ...o.metadata, namespace } },
  );
}

/** Requests at once: a 20,000-object app read all at once held 20,000 requests (and sockets) in memory. */
const CONCURRENCY = 16;
/** Objects of one kind and namespace from which one list is read instead of a GET each. */
const LIST_FROM = 4;

/**
 * The live counterparts of `objects` that exist, in their order. Objects the
 * cluster does not have are left out; the first object that could not be
 * read throws. See readLiveCounterparts.
 */
export async function readLiveObjects(target: ClusterTarget, objects: readonly KubeObject[]): Promise<KubeObject[]> {
  const { live, failures } = await readLiveCounterparts(target, objects);
  const [first] = [...failures].sort(([a], [b]) => a - b);
  if (first) throw first[1];
  return live.filter((o): o is KubeObject => o !== undefined);
}

/** readLiveCounterparts' answer: index for index with the objects asked for. */
export interface LiveCounterparts {
  /** The live counterpart of each object; undefined where the cluster does not have it (or it could not be read). */
  live: (KubeObject | undefined)[];
  /** By index, why an object could not be read (a classified API error); the others were read all the same. */
  failures: Map<number, Error>;
}

/**
 * The live counterpart of each of `objects`, which may be several apps'
 * (a drift check reads a batch of apps at once). Where several share a kind
 * and namespace, one list is read instead of a GET each; a list the cluster
 * refuses (no right to list, a kind it does not serve) falls back to the
 * GETs, which then say what is wrong.
 */
export async function readLiveCounterparts(target: ClusterTarget, objects: readonly KubeObject[]): Promise<LiveCounterparts> {
  const live: (KubeObject | undefined)[] = new Array(objects.length);
  const failures = new Map<number, Error>();
  const groups = new Map<string, number[]>();
  for (const [i, o] of objects.entries()) {
    const key = `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}`;
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }
  const listed = [...groups.values()].filter((g) => g.length >= LIST_FROM);
  const single = [...groups.values()].filter((g) => g.length < LIST_FROM).flat();
  const refused = await inPool(listed, CONCURRENCY, async (group) => ((await readListed(target, objects, group, live)) ? [] : group));
  await inPool([...single, ...refused.flat()].sort((a, b) => a - b), CONCURRENCY, async (i) => {
    try {
      live[i] = await readOne(target, objects[i]!);
    } catch (err) {
      failures.set(i, err as Error);
    }
  });
  return { live, failures };
}

/** Fills `live` for `group` (indexes into `objects`, one kind and namespace) from one list; false when the list was refused. */
async function readListed(target: ClusterTarget, objects: readonly KubeObject[], group: readonly number[], live: (KubeObject | undefined)[]): Promise<boolean> {
  const { apiVersion, kind, metadata } = objects[group[0]!]!;
  let items;
  try {
    items = (await target.objects.list(apiVersion, kind, metadata.namespace)).items;
  } catch {
    return false;
  }
  // List items may lack apiVersion and kind.
  const byName = new Map(items.map((item) => [item.metadata?.name ?? '', item]));
  for (const i of group) {
    const item = byName.get(objects[i]!.metadata.name ?? '');
    if (item) live[i] = { apiVersion, kind, ...item } as unknown as KubeObject;
  }
  return true;
}

async function readOne(target: ClusterTarget, o: KubeObject): Promise<KubeObject | undefined> {
  const header = { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, namespace: o.metadata.namespace } };
  try {
    return (await target.objects.read(header as Parameters<ClusterTarget['objects']['read']>[0])) as unknown as KubeObject;
  } catch (err) {
    if (isNotFoundError(err)) return undefined;
    throw classifyApiError(err, target.name, { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name ?? '' }, 'read');
  }
}
