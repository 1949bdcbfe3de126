export {
  clusterTargets,
  clusterTargetFromKubeconfig,
  LOCAL_CLUSTER,
  type ClusterTarget,
  type ClusterTargets,
  type ClusterTargetsOptions,
} from './cluster-target.js';
export { ClusterConfigError, type ClusterConfigErrorCode, type ClusterConfigErrorData } from './cluster-config-error.js';
export { bounded, DEFAULT_REQUEST_TIMEOUT_MS } from './bounded-request.js';
