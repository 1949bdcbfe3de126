import type { Cluster } from '../../runtime/objects/cluster.js';
import { resources } from '../../runtime/resources/registry.js';
import type { KubeObject } from '../../runtime/kube/object.js';

/** The steps of commit → serving, in path order, as the bench sees them from outside the controller. */
const STEPS = ['revision seen', 'job started', 'Deployment written', 'ReplicaSet created', 'pod created', 'container started', 'pod Ready', 'Endpoints', 'served'] as const;
export type CommitStep = (typeof STEPS)[number];

const versionOf = (object: KubeObject): string | undefined => {
  const spec = (object.spec ?? {}) as { template?: { spec?: { containers?: Array<{ env?: Array<{ name: string; value?: string }> }> } }; containers?: Array<{ env?: Array<{ name: string; value?: string }> }> };
  const containers = spec.template?.spec?.containers ?? spec.containers ?? [];
  return containers[0]?.env?.find((e) => e.name === 'VERSION')?.value;
};

/**
 * Timestamps along commit → serving for one round at a time: the controller's and worker's events are
 * marked by the caller, the runtime's objects are watched here (matched by the VERSION env of the round).
 */
export class CommitTrace {
  private version = '';
  private start = 0;
  private marks = new Map<CommitStep, number>();
  private readonly newPods = new Set<string>();
  private readonly rounds: Array<Map<CommitStep, number>> = [];
  private readonly stops: Array<() => void> = [];

  static async watch(cluster: Cluster): Promise<CommitTrace> {
    const trace = new CommitTrace();
    const on = (type: (typeof resources)[keyof typeof resources], handle: (object: KubeObject) => void) =>
      cluster.watch(type, {}, (event) => {
        if (event.type === 'ADDED' || event.type === 'MODIFIED') handle(event.object);
      });
    trace.stops.push(
      await on(resources.deployments, (d) => versionOf(d) === trace.version && trace.mark('Deployment written')),
      await on(resources.replicasets, (rs) => versionOf(rs) === trace.version && trace.mark('ReplicaSet created')),
      await on(resources.pods, (pod) => {
        if (versionOf(pod) !== trace.version) return;
        trace.newPods.add(pod.metadata.name!);
        trace.mark('pod created');
        const status = (pod.status ?? {}) as { containerStatuses?: Array<{ state?: { running?: unknown } }>; conditions?: Array<{ type: string; status: string }> };
        if (status.containerStatuses?.some((c) => c.state?.running)) trace.mark('container started');
        if (status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) trace.mark('pod Ready');
      }),
      await on(resources.endpoints, (ep) => {
        const subsets = (ep.subsets ?? []) as Array<{ addresses?: Array<{ targetRef?: { name?: string } }> }>;
        if (subsets.some((s) => s.addresses?.some((a) => trace.newPods.has(a.targetRef?.name ?? '')))) trace.mark('Endpoints');
      }),
    );
    return trace;
  }

  /** Starts a round: objects carrying `version` are this round's. */
  begin(version: string): void {
    this.version = version;
    this.start = performance.now();
    this.marks = new Map();
    this.newPods.clear();
  }

  /** The first time `step` happened in this round: now, or `at` (a performance.now() time). */
  mark(step: CommitStep, at = performance.now()): void {
    if (this.marks.has(step)) return;
    this.marks.set(step, at - this.start);
  }

  end(): void {
    this.rounds.push(this.marks);
  }

  /** Median time of each step since the commit, and since the step before it. */
  table(): string {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    let before = 0;
    return STEPS.map((step) => {
      const at = this.rounds.map((r) => r.get(step)).filter((t): t is number => t !== undefined);
      if (at.length === 0) return `    ${step.padEnd(20)} (not seen)`;
      const m = median(at);
      const line = `    ${step.padEnd(20)} at ${m.toFixed(0).padStart(5)} ms   +${(m - before).toFixed(0).padStart(4)} ms   (${at.map((t) => t.toFixed(0)).join(', ')})`;
      before = m;
      return line;
    }).join('\n');
  }

  stop(): void {
    for (const stop of this.stops) stop();
  }
}
