import type { KubernetesObject } from '@kubernetes/client-node';
import { applyObjects, planApplyPrune } from '../../apply/apply-objects.js';
import { preflightObjects } from '../../apply/preflight.js';
import { rollbackTo } from '../../apply/rollback.js';
import { runHooks } from '../../apply/run-hooks.js';
import type { ClusterTarget, ClusterTargets } from '../../clusters/cluster-target.js';
import { assessHealth } from '../../health/assess-health.js';
import { waitForHealthy } from '../../health/wait-for-healthy.js';
import type { ClusterPort, ClustersPort } from '../ports/cluster-port.js';
import { readLiveObjects } from '../../clusters/live-objects.js';

/** The ClustersPort over cluster targets (kubeconfigs, the built-in runtime). */
export function targetClusters(targets: ClusterTargets): ClustersPort {
  return { connect: (name) => targetCluster(targets.get(name)) };
}

/** The ClusterPort over one target, through @kubernetes/client-node. */
export function targetCluster(target: ClusterTarget): ClusterPort {
  // KubeObject and client-node's KubernetesObject describe the same JSON.
  const k8s = (objects: readonly unknown[]) => objects as KubernetesObject[];
  return {
    name: target.name,
    readLive: (objects) => readLiveObjects(target, objects),
    apply: ({ app, objects, prunePlan, signal, onProgress }) => applyObjects({ target, app, objects: k8s(objects), prunePlan, signal, onProgress }),
    preflight: ({ app, objects, hooks, signal }) => preflightObjects({ target, app, objects, hooks, signal }),
    planPrune: ({ app, objects, signal }) => planApplyPrune({ target, app, objects: k8s(objects), signal }),
    waitForHealthy: ({ objects, ...rest }) => waitForHealthy({ target, objects: k8s(objects), ...rest }),
    assessHealth: (objects, namespace) => assessHealth(target, k8s(objects), namespace),
    rollbackTo: ({ manifests, ...rest }) => rollbackTo({ target, manifests: k8s(manifests), ...rest }),
    runHooks: (input) => runHooks({ target, ...input }),
  };
}
