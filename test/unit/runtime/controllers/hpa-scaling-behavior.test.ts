import { describe, expect, it } from 'vitest';
import { emptyHistory, normalizeDesiredReplicas, recordRescale, type Behavior } from '../../../../runtime/controllers/hpa/scaling-behavior.js';

const now = Date.parse('2026-01-01T12:00:00Z');
const defaults: Behavior = {};

// Examples from the HPA documentation ("Configurable scaling behavior") and horizontal.go's tests.
describe('HPA scaling behavior', () => {
  it('default scale-up: at most max(4 pods, 100%) per 15 s', () => {
    const history = emptyHistory();
    const n = normalizeDesiredReplicas({ currentReplicas: 1, desiredReplicas: 10, minReplicas: 1, maxReplicas: 10, behavior: defaults, now }, history);
    expect(n.replicas).toBe(5);
    expect(n.scalingLimited).toMatchObject({ status: 'True', reason: 'ScaleUpLimit' });
    expect(normalizeDesiredReplicas({ currentReplicas: 10, desiredReplicas: 30, minReplicas: 1, maxReplicas: 100, behavior: defaults, now }, emptyHistory()).replicas).toBe(20);
  });

  it('a scale-up within the period counts against the policies until it ages out', () => {
    const history = emptyHistory();
    recordRescale(history, defaults, 1, 5, now - 5000);
    expect(normalizeDesiredReplicas({ currentReplicas: 5, desiredReplicas: 20, minReplicas: 1, maxReplicas: 20, behavior: defaults, now }, history).replicas).toBe(5);
    expect(normalizeDesiredReplicas({ currentReplicas: 5, desiredReplicas: 20, minReplicas: 1, maxReplicas: 20, behavior: defaults, now: now + 11_000 }, history).replicas).toBe(10);
  });

  it('default scale-down waits out the 300 s stabilization window, then drops at once', () => {
    const history = emptyHistory();
    history.recommendations.push({ replicas: 5, at: now - 100_000 });
    const held = normalizeDesiredReplicas({ currentReplicas: 5, desiredReplicas: 2, minReplicas: 1, maxReplicas: 10, behavior: defaults, now }, history);
    expect(held.replicas).toBe(5);
    expect(held.ableToScale).toMatchObject({ reason: 'ScaleDownStabilized' });
    const later = normalizeDesiredReplicas({ currentReplicas: 5, desiredReplicas: 2, minReplicas: 1, maxReplicas: 10, behavior: defaults, now: now + 201_000 }, history);
    expect(later.replicas).toBe(2);
    expect(later.ableToScale).toMatchObject({ reason: 'ReadyForNewScale' });
  });

  it('scaleDown policies: 80 replicas with Pods 4/60 s and Percent 10/60 s remove 8 (Max) or 4 (Min)', () => {
    const scaleDown = { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods' as const, value: 4, periodSeconds: 60 }, { type: 'Percent' as const, value: 10, periodSeconds: 60 }] };
    const max = normalizeDesiredReplicas({ currentReplicas: 80, desiredReplicas: 10, minReplicas: 1, maxReplicas: 100, behavior: { scaleDown }, now }, emptyHistory());
    expect(max.replicas).toBe(72);
    expect(max.scalingLimited).toMatchObject({ status: 'True', reason: 'ScaleDownLimit' });
    expect(normalizeDesiredReplicas({ currentReplicas: 80, desiredReplicas: 10, minReplicas: 1, maxReplicas: 100, behavior: { scaleDown: { ...scaleDown, selectPolicy: 'Min' } }, now }, emptyHistory()).replicas).toBe(76);
  });

  it('selectPolicy Disabled turns scaling in that direction off', () => {
    const n = normalizeDesiredReplicas({ currentReplicas: 6, desiredReplicas: 2, minReplicas: 1, maxReplicas: 10, behavior: { scaleDown: { selectPolicy: 'Disabled', stabilizationWindowSeconds: 0 } }, now }, emptyHistory());
    expect(n.replicas).toBe(6);
  });

  it('a scale-up stabilization window applies the lowest recent recommendation', () => {
    const history = emptyHistory();
    history.recommendations.push({ replicas: 3, at: now - 30_000 });
    const n = normalizeDesiredReplicas({ currentReplicas: 2, desiredReplicas: 6, minReplicas: 1, maxReplicas: 10, behavior: { scaleUp: { stabilizationWindowSeconds: 60 } }, now }, history);
    expect(n.replicas).toBe(3);
    expect(n.ableToScale).toMatchObject({ reason: 'ScaleUpStabilized' });
  });

  it('maxReplicas and minReplicas bound the result with TooManyReplicas and TooFewReplicas', () => {
    expect(normalizeDesiredReplicas({ currentReplicas: 3, desiredReplicas: 9, minReplicas: 1, maxReplicas: 4, behavior: defaults, now }, emptyHistory()).scalingLimited).toMatchObject({ reason: 'TooManyReplicas' });
    const low = normalizeDesiredReplicas({ currentReplicas: 3, desiredReplicas: 0, minReplicas: 2, maxReplicas: 4, behavior: { scaleDown: { stabilizationWindowSeconds: 0 } }, now }, emptyHistory());
    expect(low).toMatchObject({ replicas: 2, scalingLimited: { reason: 'TooFewReplicas' } });
  });

  it('without a behavior, the legacy rules: scale-up to at most max(2 × current, 4)', () => {
    const n = normalizeDesiredReplicas({ currentReplicas: 3, desiredReplicas: 20, minReplicas: 1, maxReplicas: 30, now }, emptyHistory());
    expect(n).toMatchObject({ replicas: 6, scalingLimited: { status: 'True', reason: 'ScaleUpLimit' } });
    expect(normalizeDesiredReplicas({ currentReplicas: 1, desiredReplicas: 20, minReplicas: 1, maxReplicas: 30, now }, emptyHistory()).replicas).toBe(4);
  });
});
