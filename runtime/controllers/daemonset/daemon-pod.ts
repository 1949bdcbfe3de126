import type { KubeObject } from '../../kube/object.js';
import { podFromTemplate } from '../replicaset/pod-from-template.js';
import { REVISION_HASH_LABEL, TEMPLATE_GENERATION_LABEL } from './daemon-plan.js';
import { withDaemonTolerations } from './node-eligibility.js';

/**
 * The DaemonSet's pod for `node`: its template with the revision hash and
 * template generation labels, the daemon tolerations, and required node
 * affinity naming the node (ReplaceDaemonSetPodNodeNameNodeAffinity), so the
 * scheduler binds it there and nowhere else.
 */
export function daemonPod(ds: KubeObject, node: string, hash: string): KubeObject {
  const pod = podFromTemplate(ds, ds.spec?.template);
  pod.metadata.labels = { ...pod.metadata.labels, [REVISION_HASH_LABEL]: hash, [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1) };
  const spec = pod.spec;
  spec.tolerations = withDaemonTolerations(spec.tolerations, spec.hostNetwork === true);
  const nodeAffinity = { ...(spec.affinity?.nodeAffinity ?? {}) };
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
  };
  spec.affinity = { ...(spec.affinity ?? {}), nodeAffinity };
  return pod;
}
