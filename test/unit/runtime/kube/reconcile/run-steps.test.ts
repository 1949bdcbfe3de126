import { describe, expect, it } from 'vitest';
import { next, runSteps, stop } from '../../../../../runtime/kube/reconcile/run-steps.js';

describe('runSteps', () => {
  it('runs steps in order, stops at the first stop, and keeps the earliest requeue', async () => {
    const ran: string[] = [];
    const step = (name: string, result: ReturnType<typeof stop>) => async () => {
      ran.push(name);
      return result;
    };
    const result = await runSteps([step('a', { stop: false, requeueAfterMs: 500 }), step('b', stop(100)), step('c', next)], {}, {});
    expect(ran).toEqual(['a', 'b']);
    expect(result).toEqual({ requeueAfterMs: 100 });
  });
});
