export { waitForHealthy, describeFailure, type WaitForHealthyOptions, type HealthGateResult, type WorkloadHealth, type WorkloadProblem } from './wait-for-healthy.js';
export { assessHealth, assessObjects, objectHealth, worstOf, type ObjectHealth } from './assess-health.js';
export { rolloutStatus, WORKLOAD_KINDS, type ReplicaCounts, type RolloutState } from './rollout-status.js';
export { syncProgress, type AppliedObjectRef, type SyncAppliedData, type SyncProgress, type SyncProgressData, type SyncProgressOptions } from './sync-progress.js';
export type { PodProblem } from './diagnose-pods.js';
