export { waitForHealthy, describeFailure, type WaitForHealthyOptions, type HealthGateResult, type WorkloadHealth, type WorkloadProblem } from './wait-for-healthy.js';
export { assessHealth, assessObjects, objectHealth, worstOf, type ObjectHealth } from './assess-health.js';
export { rolloutStatus, WORKLOAD_KINDS, type RolloutState } from './rollout-status.js';
export type { PodProblem } from './diagnose-pods.js';
