import { describe, expect, it } from 'vitest';
import { failedRevisionRetry } from '../../../../controller/plan/failed-revision-retry.js';
import { initialAppStatus, type AppStatus } from '../../../../controller/state/app-status.js';
import type { RevisionHistoryEntry } from '../../../../controller/state/revision-history.js';

const BAD = 'b'.repeat(40);
const GOOD = 'a'.repeat(40);
const FAILED_AT = '2026-12-06T12:00:00.000Z';

function failedLive(patch: Partial<AppStatus> = {}): AppStatus {
  return { ...initialAppStatus({ name: 'auth', namespace: 'shop', cluster: 'local' }), revision: BAD, lastFailedRevision: BAD, syncStatus: 'OutOfSync', health: 'Degraded', lastSync: FAILED_AT, ...patch };
}

function entry(revision: string, result: RevisionHistoryEntry['result']): RevisionHistoryEntry {
  return { id: 0, revision, digest: 'd', result, startedAt: FAILED_AT, finishedAt: FAILED_AT, durationMs: 0, trigger: 'poll', message: '' };
}

const after = (seconds: number) => new Date(Date.parse(FAILED_AT) + seconds * 1000);

describe('failedRevisionRetry', () => {
  it('a first deploy that failed is tried again 15 s after, then each wait doubles up to 5 minutes', () => {
    const once = [entry(BAD, 'Failed')];
    expect(failedRevisionRetry(failedLive(), once, after(14))).toBeUndefined();
    expect(failedRevisionRetry(failedLive(), once, after(15))).toEqual({ revision: BAD, failures: 1 });
    const thrice = [entry(BAD, 'Failed'), entry(BAD, 'Failed'), entry(BAD, 'Failed')];
    expect(failedRevisionRetry(failedLive(), thrice, after(59))).toBeUndefined();
    expect(failedRevisionRetry(failedLive(), thrice, after(60))).toEqual({ revision: BAD, failures: 3 });
    const many = Array.from({ length: 10 }, () => entry(BAD, 'Failed'));
    expect(failedRevisionRetry(failedLive(), many, after(299))).toBeUndefined();
    expect(failedRevisionRetry(failedLive(), many, after(300))).toEqual({ revision: BAD, failures: 10 });
  });

  it('only failures of the live revision in a row count', () => {
    const history = [entry(BAD, 'Failed'), entry(GOOD, 'Failed'), entry(GOOD, 'Failed')];
    expect(failedRevisionRetry(failedLive(), history, after(15))).toEqual({ revision: BAD, failures: 1 });
  });

  it('a rolled-back, pinned, refused or never-synced revision is not retried', () => {
    const history = [entry(BAD, 'Failed')];
    // Rolled back: the live revision is the healthy one.
    expect(failedRevisionRetry(failedLive({ revision: GOOD }), [entry(BAD, 'RolledBack')], after(600))).toBeUndefined();
    expect(failedRevisionRetry(failedLive({ pinnedRevision: GOOD }), history, after(600))).toBeUndefined();
    // Refused before anything was applied (prune guard, render error): no history entry of a failed apply.
    expect(failedRevisionRetry(failedLive(), [], after(600))).toBeUndefined();
    expect(failedRevisionRetry(failedLive({ lastFailedRevision: undefined }), history, after(600))).toBeUndefined();
    expect(failedRevisionRetry(failedLive({ lastSync: null }), history, after(600))).toBeUndefined();
  });
});
