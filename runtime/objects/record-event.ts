import { resources } from '../resources/registry.js';
import type { Cluster } from './cluster.js';
import type { KubeObject } from '../kube/object.js';

export type EventType = 'Normal' | 'Warning';

let lastNanos = 0n;

/**
 * `<object>.<time in ns, hex>`, as client-go's recorder names events; a
 * clock that has not moved since the last event moves one ns on, so names
 * from this process never clash (random bytes cost the main thread more than
 * the rest of an event).
 */
export function eventName(involvedName: string | undefined): string {
  let nanos = BigInt(Date.now()) * 1_000_000n;
  if (nanos <= lastNanos) nanos = lastNanos + 1n;
  lastNanos = nanos;
  return `${involvedName}.${nanos.toString(16)}`;
}

/**
 * Records a core/v1 Event about `involved`, as `kubectl describe` and
 * `kubectl get events` show them. Never throws: an event is best effort.
 */
export async function recordEvent(
  cluster: Cluster,
  involved: KubeObject,
  type: EventType,
  reason: string,
  message: string,
  component = 'baton-runtime',
): Promise<void> {
  const namespace = involved.metadata.namespace ?? 'default';
  const now = new Date().toISOString();
  const name = eventName(involved.metadata.name);
  try {
    await cluster.create(resources.events, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        name: involved.metadata.name,
        namespace: involved.metadata.namespace,
        uid: involved.metadata.uid,
        resourceVersion: involved.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component },
      reportingComponent: component,
      firstTimestamp: now,
      lastTimestamp: now,
      eventTime: null,
      count: 1,
    });
  } catch {
    // The namespace may be going away; losing an event is acceptable.
  }
}
