import type { V1Pod } from '@kubernetes/client-node';
import { bounded } from '../../clusters/bounded-request.js';
import type { ClusterTargets } from '../../clusters/cluster-target.js';
import type { AppStatus } from '../../state/app-status.js';
import type { StateStore } from '../../state/state-store.js';
import { selectorQuery, type LabelSelector } from '../../../runtime/kube/label-selector.js';
import { conflict } from './api-error.js';
import type { PodLogsOptions } from './api-deps.js';

export interface AppPodLogsDeps {
  /** The app's kept manifests tell which workloads (and so which pods) are its. */
  state: Pick<StateStore, 'getHealthyManifests'>;
  clusters: Pick<ClusterTargets, 'get'>;
}

/** Pods of an app found through its workloads' selectors; kinds without one (Jobs included) are read by it too. */
const SELECTOR_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/**
 * A `podLogs` provider for the REST API: the last lines of every container of
 * the app's pods, each block headed `==> namespace/pod container <==` as
 * `tail` heads files. Pods are found from the workloads of the app's live
 * revision (else its newest healthy one), as recorded in the state store.
 */
export function appPodLogs(deps: AppPodLogsDeps): (app: AppStatus, options: PodLogsOptions) => Promise<string> {
  return async (app, options) => {
    const kept = (await deps.state.getHealthyManifests(app.name, app.revision ?? undefined)) ?? undefined;
    if (!kept) throw conflict(`app "${app.name}" has no healthy revision recorded yet, so baton does not know its pods; use \`kubectl logs\` in namespace ${app.namespace}`);
    const target = deps.clusters.get(app.cluster);
    const pods = new Map<string, V1Pod>();
    for (const o of kept.objects) {
      const namespace = o.metadata.namespace ?? app.namespace;
      if (o.kind === 'Pod') {
        const pod = await bounded(target.core.readNamespacedPod({ name: o.metadata.name!, namespace })).catch(() => undefined);
        if (pod) pods.set(`${namespace}/${o.metadata.name}`, pod);
        continue;
      }
      const selector = SELECTOR_KINDS.has(o.kind) ? selectorQuery((o as { spec?: { selector?: LabelSelector } }).spec?.selector) : undefined;
      if (!selector) continue;
      const list = await bounded(target.core.listNamespacedPod({ namespace, labelSelector: selector }));
      for (const pod of list.items) pods.set(`${namespace}/${pod.metadata?.name}`, pod);
    }
    if (pods.size === 0) return `(app ${app.name} has no pods)\n`;
    const blocks: string[] = [];
    for (const [key, pod] of [...pods].sort(([a], [b]) => a.localeCompare(b))) {
      const containers = (pod.spec?.containers ?? []).map((c) => c.name).filter((c) => !options.container || c === options.container);
      for (const container of containers) {
        const [namespace, name] = key.split('/');
        let text: string;
        try {
          text = await bounded(target.core.readNamespacedPodLog({ name, namespace, container, tailLines: options.tail }));
        } catch (err) {
          text = `(no log: ${(err as { body?: { message?: string } }).body?.message ?? (err as Error).message})\n`;
        }
        blocks.push(`==> ${key} ${container} <==\n${text}${text.endsWith('\n') || text === '' ? '' : '\n'}`);
      }
    }
    if (blocks.length === 0) return `(no container named "${options.container}" in the pods of ${app.name})\n`;
    return blocks.join('\n');
  };
}
