import type { Condition } from './scaling-behavior.js';

export type ConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

export interface HpaCondition extends Condition {
  type: ConditionType;
  lastTransitionTime: string;
}

/** setCondition of horizontal.go: replaces the condition of that type, keeping its lastTransitionTime while the status stays. */
export function setCondition(conditions: HpaCondition[], type: ConditionType, condition: Condition, now: string): HpaCondition[] {
  const existing = conditions.find((c) => c.type === type);
  const lastTransitionTime = existing && existing.status === condition.status ? existing.lastTransitionTime : now;
  const next = { type, ...condition, lastTransitionTime };
  const order: ConditionType[] = ['AbleToScale', 'ScalingActive', 'ScalingLimited'];
  return [...conditions.filter((c) => c.type !== type), next].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}
