import { classifyApiError, isNotFoundError } from './classify-api-error.js';
import { isClusterScoped } from '../../runtime/kube/cluster-scoped.js';
import type { ClusterTarget } from './cluster-target.js';
import type { KubeObject } from '../../runtime/kube/object.js';

/** A copy of each object with the app's namespace filled in where it names none, as apply does. */
export function withNamespace(objects: readonly KubeObject[], namespace: string): KubeObject[] {
  return objects.map((o) =>
    isClusterScoped(o.kind) || o.metadata.namespace ? o : { ...o, metadata: { ...o.metadata, namespace } },
  );
}

/** Reads at once: a 20,000-object app read all at once held 20,000 requests (and sockets) in memory. */
const CONCURRENCY = 16;

/** The live counterparts of `objects` that exist, in their order. Objects the cluster does not have are left out. */
export async function readLiveObjects(target: ClusterTarget, objects: readonly KubeObject[]): Promise<KubeObject[]> {
  const live: (KubeObject | undefined)[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < objects.length && !failed) {
      const i = next++;
      try {
        live[i] = await readOne(target, objects[i]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, objects.length) }, worker));
  return live.filter((o): o is KubeObject => o !== undefined);
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
