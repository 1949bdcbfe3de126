import { randomBytes } from 'node:crypto';
import { resources } from '../resources/registry.js';
import type { Cluster } from './cluster.js';
import type { KubeObject } from '../kube/object.js';

export type EventType = 'Normal' | 'Warning';

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
  const name = `${involved.metadata.name}.${randomBytes(8).toString('hex')}`;
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
