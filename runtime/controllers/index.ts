import type { Cluster } from '../objects/cluster.js';
import { startCronJobController } from './cronjob/cronjob-controller.js';
import { startServiceAccountController } from './serviceaccount/serviceaccount-controller.js';
import { startDeploymentController } from './deployment/deployment-controller.js';
import { startEndpointsController } from './endpoints/endpoints-controller.js';
import { startJobController } from './job/job-controller.js';
import type { ReconcilerLogger, RunningReconciler } from './reconciler.js';
import { startReplicaSetController } from './replicaset/replicaset-controller.js';
import { startReplicationControllerController } from './replicationcontroller/replicationcontroller-controller.js';
import { startDaemonSetController } from './daemonset/daemonset-controller.js';
import { startDisruptionController } from './disruption/disruption-controller.js';
import { startStatefulSetController } from './statefulset/statefulset-controller.js';
import { startHpaController } from './hpa/hpa-controller.js';
import type { MetricsSource } from '../metrics/metrics-sampler.js';
import { startResourceQuotaController } from './resourcequota/resourcequota-controller.js';
import { startVolumeControllers } from './volume/volume-controller.js';
import { startClusterRoleAggregationController } from './rbac/clusterrole-aggregation-controller.js';

export interface ControllersOptions {
  cluster: Cluster;
  /** @defaultValue a pino logger on stderr at level `BATON_LOG_LEVEL` or `warn` */
  logger?: ReconcilerLogger;
  /**
   * Where the local-path provisioner keeps volumes (`<state-dir>/volumes`); without it claims are bound only to volumes that exist.
   * @defaultValue no provisioner, no `standard` StorageClass
   */
  volumesDir?: string;
  /**
   * Pod usage for the HorizontalPodAutoscaler controller (runtime/metrics).
   * @defaultValue none: HPAs report FailedGetResourceMetric
   */
  metrics?: MetricsSource;
  /**
   * How often each HPA is evaluated (kube-controller-manager's `--horizontal-pod-autoscaler-sync-period`).
   * @defaultValue 15_000
   */
  hpaSyncPeriodMs?: number;
}

/** Starts the deployment, replicaset, endpoints, job and cronjob controllers against `cluster`. */
export async function startControllers(options: ControllersOptions): Promise<{ stop(): Promise<void> }> {
  const started: RunningReconciler[] = [];
  try {
    started.push(await startReplicaSetController(options));
    started.push(await startDeploymentController(options));
    started.push(await startEndpointsController(options));
    started.push(await startJobController(options));
    started.push(await startCronJobController(options));
    started.push(await startServiceAccountController(options));
    started.push(await startReplicationControllerController(options));
    started.push(await startDaemonSetController(options));
    started.push(await startDisruptionController(options));
    started.push(await startStatefulSetController(options));
    started.push(await startHpaController({ ...options, syncPeriodMs: options.hpaSyncPeriodMs }));
    started.push(await startResourceQuotaController(options));
    started.push(await startClusterRoleAggregationController(options));
    if (options.volumesDir) started.push(...(await startVolumeControllers({ ...options, volumesDir: options.volumesDir })));
  } catch (err) {
    await Promise.all(started.map((c) => c.stop()));
    throw err;
  }
  return {
    async stop() {
      await Promise.all(started.map((c) => c.stop()));
    },
  };
}

export {
  startReconciler,
  runSteps,
  done,
  requeueAfter,
  next,
  stop,
  nextAndRequeue,
  keyOf,
  splitKey,
  type ReconcileResult,
  type ReconcilerOptions,
  type ReconcilerLogger,
  type RunningReconciler,
  type Step,
  type StepResult,
  type WatchSource,
} from './reconciler.js';
export { TerminalError } from '../kube/reconcile/terminal-error.js';
export { WorkQueue } from '../kube/reconcile/work-queue.js';
export { Backoff, backoffDelay, type BackoffPolicy } from '../kube/reconcile/backoff.js';
export { isPodReady, podAvailability, podReadyCondition } from './pod-conditions.js';
export { computePodTemplateHash, POD_TEMPLATE_HASH_LABEL } from './deployment/pod-template-hash.js';
