import type { DeleteOptions } from '../objects/cluster.js';
import type { KubeObject } from '../kube/object.js';
import type { ResourceType } from '../resources/registry.js';
import type { ObjectIndex } from './object-index.js';

/**
 * The synchronous inside of LocalCluster that its own reconcilers (garbage
 * collector, namespace finalizer) work through: the same semantics as the
 * public methods, without the promise and the defensive copies.
 */
export interface StoreOps {
  readonly index: ObjectIndex;
  typeOf(typeKey: string): ResourceType;
  updateObject(type: ResourceType, object: KubeObject): KubeObject;
  deleteObject(type: ResourceType, namespace: string | undefined, name: string, options?: DeleteOptions): KubeObject;
  /** Removes a Terminating namespace once nothing is left in it. */
  removeNamespace(name: string): void;
}
