import { describe, expect, it } from 'vitest';
import { BatonError, isRetryable } from '../../../../runtime/kube/baton-error.js';

describe('BatonError', () => {
  it('carries its retryable flag, code and cause', () => {
    const cause = new Error('ECONNREFUSED');
    const err = new BatonError('cannot reach the cluster', { retryable: true, code: 'UNREACHABLE', cause });
    expect(err).toBeInstanceOf(Error);
    expect([err.message, err.name, err.retryable, err.code, err.cause]).toEqual(['cannot reach the cluster', 'BatonError', true, 'UNREACHABLE', cause]);
  });

  it('has no code or cause unless given one', () => {
    const err = new BatonError('bad spec', { retryable: false });
    expect([err.code, 'code' in err, 'cause' in err]).toEqual([undefined, false, false]);
  });

  it('counts as retryable only when it is a BatonError that says so', () => {
    const cases: [unknown, boolean][] = [
      [new BatonError('x', { retryable: true }), true],
      [new BatonError('x', { retryable: false }), false],
      [Object.assign(new Error('x'), { retryable: true }), false],
      ['x', false],
      [undefined, false],
    ];
    for (const [err, want] of cases) expect(isRetryable(err)).toBe(want);
  });
});
