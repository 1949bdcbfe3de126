import type { Cluster } from '../objects/cluster.js';
import type { KubeObject } from '../objects/types.js';
import type { ResourceType } from '../resources/registry.js';

export interface WatchKeysOptions {
  /** Wait before listing again after a watch broke. @defaultValue 1000 */
  restartDelayMs?: number;
  onError?: (error: unknown) => void;
}

export function objectKey(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/**
 * Reports the key of every object of `type` that exists or changes: a list,
 * then a watch from the list's resourceVersion. When the watch reports an
 * error (410 Gone after a compaction, or anything else) it lists again, so
 * nothing changed in between is missed. Returns the stop function.
 */
export function watchKeys(
  cluster: Cluster,
  type: ResourceType,
  onKey: (key: string) => void,
  options: WatchKeysOptions = {},
): () => void {
  let stopped = false;
  let unwatch: (() => void) | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let generation = 0;

  const restart = (error: unknown) => {
    if (stopped) return;
    options.onError?.(error);
    unwatch?.();
    unwatch = undefined;
    const mine = ++generation;
    restartTimer = setTimeout(() => {
      if (mine === generation) void start();
    }, options.restartDelayMs ?? 1000);
    restartTimer.unref();
  };

  const start = async () => {
    const mine = generation;
    try {
      const list = await cluster.list(type);
      if (stopped || mine !== generation) return;
      for (const item of list.items) onKey(objectKey(item));
      const stop = await cluster.watch(type, { resourceVersion: list.resourceVersion }, (event) => {
        if (mine !== generation) return;
        if (event.type === 'ERROR') restart(new Error(`watch ${type.plural}: ${String((event.object as any)?.message ?? 'error')}`));
        else if (event.type !== 'BOOKMARK') onKey(objectKey(event.object));
      });
      if (stopped || mine !== generation) stop();
      else unwatch = stop;
    } catch (error) {
      if (mine === generation) restart(error);
    }
  };

  void start();
  return () => {
    stopped = true;
    generation++;
    if (restartTimer) clearTimeout(restartTimer);
    unwatch?.();
  };
}
