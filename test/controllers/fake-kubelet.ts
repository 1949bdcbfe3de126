import { resources } from '../../runtime/resources/registry.js';
import type { Cluster } from '../../runtime/objects/cluster.js';
import type { KubeObject } from '../../runtime/kube/object.js';

/**
 * Stands in for the kubelet in controller tests: schedules pods, gives them
 * an IP and phase Running, sets Ready per `ready(pod)`, and finishes
 * terminating pods. Polls rather than watches so tests stay simple.
 */
export class FakeKubelet {
  private timer: NodeJS.Timeout | undefined;
  private ip = 1;
  private busy = false;
  /** Decides readiness of each running pod; may be changed during a test. */
  ready: (pod: KubeObject) => boolean = () => true;

  constructor(private readonly cluster: Cluster, private readonly namespace: string) {}

  start(intervalMs = 20): this {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const pods = await this.cluster.list(resources.pods, { namespace: this.namespace });
      for (const pod of pods.items) await this.sync(pod).catch(() => {});
    } finally {
      this.busy = false;
    }
  }

  private async sync(pod: KubeObject): Promise<void> {
    const name = String(pod.metadata.name);
    if (pod.metadata.deletionTimestamp) {
      await this.cluster.delete(resources.pods, this.namespace, name, { gracePeriodSeconds: 0 });
      return;
    }
    if (!pod.spec.nodeName) {
      pod.spec.nodeName = 'local';
      pod = await this.cluster.update(resources.pods, pod);
    }
    const ready = this.ready(pod);
    const current = pod.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
    if (pod.status?.phase === 'Running' && (current?.status === 'True') === ready) return;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    pod.status = {
      phase: 'Running',
      podIP: pod.status?.podIP ?? `127.1.0.${this.ip++}`,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }],
      containerStatuses: [{ name: 'app', ready, restartCount: 0 }],
    };
    await this.cluster.update(resources.pods, pod, { status: true });
  }
}

let n = 0;
/** A namespace name unique to this test run. */
export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${process.pid}-${++n}-${Math.random().toString(36).slice(2, 6)}`;
}

export async function createNamespace(cluster: Cluster, name: string): Promise<void> {
  await cluster.create(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}
