import type { KubeObject } from '../../kube/object.js';
import { keyOf } from '../reconciler.js';

/**
 * What the controller knows between reconciles, only to decide which
 * Services a pod change concerns: each Service's selector, and which pods
 * each Service's Endpoints last listed (so a pod whose labels stop matching
 * still wakes the Services it leaves).
 */
export class ServiceIndex {
  private readonly selectors = new Map<string, Record<string, string>>();
  private readonly members = new Map<string, Set<string>>();
  private readonly memberOf = new Map<string, Set<string>>();

  setSelector(svcKey: string, selector: Record<string, string> | undefined): void {
    if (selector) this.selectors.set(svcKey, selector);
    else this.selectors.delete(svcKey);
  }

  setMembers(svcKey: string, podKeys: Set<string>): void {
    for (const p of this.members.get(svcKey) ?? []) {
      const of = this.memberOf.get(p);
      of?.delete(svcKey);
      // Pod names are new with every rollout: an emptied entry left behind is never reused.
      if (of?.size === 0) this.memberOf.delete(p);
    }
    if (podKeys.size) this.members.set(svcKey, podKeys);
    else this.members.delete(svcKey);
    for (const p of podKeys) {
      let s = this.memberOf.get(p);
      if (!s) this.memberOf.set(p, (s = new Set()));
      s.add(svcKey);
    }
  }

  servicesFor(pod: KubeObject): string[] {
    const ns = pod.metadata.namespace;
    const labels = pod.metadata.labels ?? {};
    const keys = new Set(this.memberOf.get(keyOf(pod)) ?? []);
    for (const [svcKey, selector] of this.selectors) {
      if (!svcKey.startsWith(`${ns}/`)) continue;
      if (Object.entries(selector).every(([k, v]) => labels[k] === v)) keys.add(svcKey);
    }
    return [...keys];
  }

  /** Pods some Service's Endpoints list: as many as the pods served, not every pod ever seen. */
  get podsTracked(): number {
    return this.memberOf.size;
  }
}
