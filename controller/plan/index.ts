export { planApp, type PlanAppInput, type AppPlan, type SkipPlan, type DegradedPlan, type RenderPlan } from './plan-app.js';
export { orderApps } from './order-apps.js';
export type { PlanSource, InputDeps } from './inputs-key.js';
export { bundledChartDigest } from './chart-digest.js';
export {
  APP_LABEL,
  DIGEST_ANNOTATION,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  REVISION_ANNOTATION,
  appSelector,
  trackObject,
  trackedApp,
  type Tracking,
} from './track-objects.js';
