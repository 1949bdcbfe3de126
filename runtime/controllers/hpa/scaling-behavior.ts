/**
 * Turns a metric recommendation into the replica count to set, ported from
 * kube-controller-manager's horizontal.go: stabilization windows over recent
 * recommendations, then the scale-up/scale-down policies over recent scale
 * events, then minReplicas/maxReplicas. Without `spec.behavior` the legacy
 * rules apply (normalizeDesiredReplicas): a 300 s scale-down window and a
 * scale-up limit of max(2 × current, 4). Pure over a per-HPA history the
 * controller keeps in memory, as Kubernetes does.
 */

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
}

export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

/** The controller's memory of one HPA: recent recommendations and rescales. */
export interface ScalingHistory {
  recommendations: Array<{ replicas: number; at: number }>;
  scaleUpEvents: Array<{ change: number; at: number }>;
  scaleDownEvents: Array<{ change: number; at: number }>;
}

export interface Condition {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface Normalized {
  replicas: number;
  ableToScale: Condition;
  scalingLimited: Condition;
}

export interface NormalizeInput {
  currentReplicas: number;
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  behavior?: Behavior;
  now: number;
  /** @defaultValue 300 s, `--horizontal-pod-autoscaler-downscale-stabilization` */
  downscaleStabilizationMs?: number;
}

/** The defaults autoscaling/v2 fills in a `behavior` that is given (SetDefaults_HorizontalPodAutoscalerBehavior). */
export const DEFAULT_SCALE_UP: Required<ScalingRules> = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
/** scaleDown's window stays unset: the controller's downscale stabilization (300 s) applies. */
export const DEFAULT_SCALE_DOWN: ScalingRules = { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

export function emptyHistory(): ScalingHistory {
  return { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
}

const READY: Condition = { status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const WITHIN: Condition = { status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };

function changeInPeriod(events: ScalingHistory['scaleUpEvents'], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.reduce((sum, e) => (e.at > cutoff ? sum + e.change : sum), 0);
}

function periodStart(history: ScalingHistory, current: number, periodSeconds: number, now: number): number {
  return current - changeInPeriod(history.scaleUpEvents, periodSeconds, now) + changeInPeriod(history.scaleDownEvents, periodSeconds, now);
}

/** The most replicas the scale-up policies allow now (calculateScaleUpLimitWithScalingRules). */
export function scaleUpLimit(current: number, history: ScalingHistory, rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? Infinity : -Infinity;
  for (const p of rules.policies ?? []) {
    const start = periodStart(history, current, p.periodSeconds, now);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** The fewest replicas the scale-down policies allow now (calculateScaleDownLimitWithBehaviors). */
export function scaleDownLimit(current: number, history: ScalingHistory, rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? -Infinity : Infinity;
  for (const p of rules.policies ?? []) {
    const start = periodStart(history, current, p.periodSeconds, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pickMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** Records the recommendation, replacing one older than both windows (as Kubernetes reuses its slots). */
function record(history: ScalingHistory, replicas: number, now: number, isOld: (at: number) => boolean): void {
  const old = history.recommendations.findIndex((r) => isOld(r.at));
  if (old >= 0) history.recommendations[old] = { replicas, at: now };
  else history.recommendations.push({ replicas, at: now });
}

function normalizeWithBehavior(input: NormalizeInput, history: ScalingHistory, behavior: Behavior): Normalized {
  const { currentReplicas: current, desiredReplicas: desired, now } = input;
  const up = { ...DEFAULT_SCALE_UP, ...behavior.scaleUp };
  const down = { ...DEFAULT_SCALE_DOWN, ...behavior.scaleDown };
  const upCutoff = now - (up.stabilizationWindowSeconds ?? 0) * 1000;
  const downCutoff = now - (down.stabilizationWindowSeconds ?? (input.downscaleStabilizationMs ?? 300_000) / 1000) * 1000;
  let upRecommendation = desired;
  let downRecommendation = desired;
  for (const r of history.recommendations) {
    if (r.at > upCutoff) upRecommendation = Math.min(upRecommendation, r.replicas);
    if (r.at > downCutoff) downRecommendation = Math.max(downRecommendation, r.replicas);
  }
  const stabilized = Math.min(Math.max(current, upRecommendation), downRecommendation);
  record(history, desired, now, (at) => at < upCutoff && at < downCutoff);
  const ableToScale: Condition =
    stabilized === desired
      ? READY
      : desired >= current
        ? { status: 'True', reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
        : { status: 'True', reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };

  let limited = WITHIN;
  let replicas = stabilized;
  if (stabilized > current) {
    const limit = Math.max(scaleUpLimit(current, history, up, now), current);
    const [allowed, reason, message] =
      input.maxReplicas > limit
        ? [limit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
        : [input.maxReplicas, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
    if (stabilized > allowed) {
      replicas = allowed;
      limited = { status: 'True', reason, message };
    }
  } else if (stabilized < current) {
    const limit = Math.min(scaleDownLimit(current, history, down, now), current);
    const [allowed, reason, message] =
      input.minReplicas < limit
        ? [limit, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']
        : [input.minReplicas, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
    if (stabilized < allowed) {
      replicas = allowed;
      limited = { status: 'True', reason, message };
    }
  }
  return { replicas, ableToScale, scalingLimited: limited };
}

function normalizeLegacy(input: NormalizeInput, history: ScalingHistory): Normalized {
  const { currentReplicas: current, desiredReplicas: desired, now } = input;
  const cutoff = now - (input.downscaleStabilizationMs ?? 300_000);
  let stabilized = desired;
  for (const r of history.recommendations) if (r.at >= cutoff && r.replicas > stabilized) stabilized = r.replicas;
  record(history, desired, now, (at) => at < cutoff);
  const ableToScale: Condition =
    stabilized === desired ? READY : { status: 'True', reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
  // convertDesiredReplicasWithRules
  const upLimit = Math.max(2 * current, 4);
  let maximum: number;
  let limited: Condition;
  if (input.maxReplicas > upLimit) {
    maximum = upLimit;
    limited = { status: 'True', reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
  } else {
    maximum = input.maxReplicas;
    limited = { status: 'True', reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
  }
  if (stabilized < input.minReplicas) {
    return { replicas: input.minReplicas, ableToScale, scalingLimited: { status: 'True', reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' } };
  }
  if (stabilized > maximum) return { replicas: maximum, ableToScale, scalingLimited: limited };
  return { replicas: stabilized, ableToScale, scalingLimited: WITHIN };
}

/** normalizeDesiredReplicasWithBehaviors, or normalizeDesiredReplicas when the HPA has no behavior. */
export function normalizeDesiredReplicas(input: NormalizeInput, history: ScalingHistory): Normalized {
  return input.behavior ? normalizeWithBehavior(input, history, input.behavior) : normalizeLegacy(input, history);
}

/** After a rescale: remembers it for the policies' periods (storeScaleEvent; only with a behavior, as Kubernetes). */
export function recordRescale(history: ScalingHistory, behavior: Behavior | undefined, from: number, to: number, now: number): void {
  if (!behavior) return;
  const rules = to > from ? { ...DEFAULT_SCALE_UP, ...behavior.scaleUp } : { ...DEFAULT_SCALE_DOWN, ...behavior.scaleDown };
  const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds));
  const events = to > from ? history.scaleUpEvents : history.scaleDownEvents;
  const event = { change: Math.abs(to - from), at: now };
  const old = events.findIndex((e) => e.at < now - longest * 1000);
  if (old >= 0) events[old] = event;
  else events.push(event);
}
