import { selectorMatches, type LabelSelector } from '../kube/label-selector.js';
import { ipToInt } from '../network/ipv4-cidr.js';
import type { KubeObject } from '../kube/object.js';
import { inRanges, type Range } from './address-ranges.js';
import type { PolicyPod } from './policy-pod.js';
import type { PolicyProblem } from './policy-problem.js';

/** A pod with its address as a number. */
export interface IndexedPod {
  pod: PolicyPod;
  address: number;
}

/** The label the API server puts on every namespace, so selectors can name one. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Pods by address, keeping the first by namespace/name when two claim one
 * address (the address can only dispatch to one chain); pods without a valid
 * IPv4 address are dropped. Both are reported.
 */
export function indexPods(pods: readonly PolicyPod[], taken: ReadonlySet<number>, problems: PolicyProblem[]): IndexedPod[] {
  const out: IndexedPod[] = [];
  const seen = new Map<number, PolicyPod>();
  const sorted = [...pods].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
  for (const pod of sorted) {
    const address = ipToInt(pod.ip);
    const report = (message: string) => problems.push({ kind: 'Pod', namespace: pod.namespace, name: pod.name, field: 'status.podIP', message });
    if (address === undefined) {
      if (pod.ip !== '') report(`${JSON.stringify(pod.ip)} is not an IPv4 address; the pod is not policed`);
      continue;
    }
    const other = seen.get(address);
    if (other || taken.has(address)) {
      report(`${pod.ip} is also the address of ${other ? `${other.namespace}/${other.name}` : 'another pod'}; this pod is not policed`);
      continue;
    }
    seen.set(address, pod);
    out.push({ pod, address });
  }
  return out;
}

/** Answers "which pods does this peer select" for every rule of every policy. */
export class PeerIndex {
  private readonly byNamespace = new Map<string, IndexedPod[]>();
  private readonly namespaceLabels = new Map<string, Record<string, string>>();
  // Policies repeat the same selectors (every "default deny", every "from namespace X"); each is matched once.
  private readonly memo = new Map<string, IndexedPod[]>();

  constructor(
    readonly pods: readonly IndexedPod[],
    namespaces: readonly KubeObject[],
  ) {
    for (const ns of namespaces) {
      const name = ns.metadata.name;
      if (name) this.namespaceLabels.set(name, { ...(ns.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: name });
    }
    for (const p of pods) {
      let list = this.byNamespace.get(p.pod.namespace);
      if (!list) this.byNamespace.set(p.pod.namespace, (list = []));
      list.push(p);
      // A pod's namespace always exists in Kubernetes, even when the caller passed no object for it.
      if (!this.namespaceLabels.has(p.pod.namespace)) this.namespaceLabels.set(p.pod.namespace, { [NAMESPACE_NAME_LABEL]: p.pod.namespace });
    }
  }

  private inNamespace(namespace: string, selector: LabelSelector): IndexedPod[] {
    return (this.byNamespace.get(namespace) ?? []).filter((p) => selectorMatches(selector, p.pod.labels));
  }

  /**
   * The pods a peer selects: podSelector alone looks in the policy's own
   * namespace; namespaceSelector picks namespaces, narrowed by podSelector
   * when both are given (AND).
   */
  selected(policyNamespace: string, podSelector: LabelSelector | undefined, namespaceSelector: LabelSelector | undefined): IndexedPod[] {
    const key = `${namespaceSelector ? JSON.stringify(namespaceSelector) : policyNamespace}\0${JSON.stringify(podSelector ?? null)}`;
    let out = this.memo.get(key);
    if (!out) this.memo.set(key, (out = this.select(policyNamespace, podSelector, namespaceSelector)));
    return out;
  }

  private select(policyNamespace: string, podSelector: LabelSelector | undefined, namespaceSelector: LabelSelector | undefined): IndexedPod[] {
    if (!namespaceSelector) return podSelector ? this.inNamespace(policyNamespace, podSelector) : [];
    const out: IndexedPod[] = [];
    for (const [ns, labels] of this.namespaceLabels) {
      if (!selectorMatches(namespaceSelector, labels)) continue;
      for (const p of this.byNamespace.get(ns) ?? []) if (!podSelector || selectorMatches(podSelector, p.pod.labels)) out.push(p);
    }
    return out;
  }

  /** Pods whose address is in `ranges` (merged). */
  inRanges(ranges: readonly Range[]): IndexedPod[] {
    return ranges.length === 0 ? [] : this.pods.filter((p) => inRanges(ranges, p.address));
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
