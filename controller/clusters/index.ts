export {
  clusterTargets,
  clusterTargetFromKubeconfig,
  LOCAL_CLUSTER,
  type ClusterTarget,
  type ClusterTargets,
  type ClusterTargetsOptions,
} from './cluster-target.js';
export { ClusterConfigError, type ClusterConfigErrorData } from './cluster-config-error.js';
