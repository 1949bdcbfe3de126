import { describe, expect, it } from 'vitest';
import type { SyncPolicy } from '../../../../controller/apps/app-spec.js';
import { planOutcome, type PlanOutcome } from '../../../../controller/plan/plan-outcome.js';
import type { DegradedPlan, RenderPlan } from '../../../../controller/plan/plan-app.js';
import { initialAppStatus, type AppStatus } from '../../../../controller/state/app-status.js';

const live = 'a'.repeat(40);
const commit = 'b'.repeat(40);
const policy = (automated: boolean): { syncPolicy: SyncPolicy } => ({ syncPolicy: { automated, prune: true, selfHeal: true, allowEmpty: false, pruneLimit: '50%' } });
const render = (digest: string): RenderPlan => ({ action: 'render', objects: [], digest, sameDigest: false, inputsKey: 'k' });
const broken: DegradedPlan = { action: 'degraded', errors: ['apps/web/a.yaml:1:1: bad'], inputsKey: 'k' };
const status = (patch: Partial<AppStatus>): AppStatus => ({ ...initialAppStatus({ name: 'web', namespace: 'web', cluster: 'local' }), revision: live, manifestDigest: 'd1', syncStatus: 'Synced', health: 'Healthy', ...patch });
const held = { syncStatus: 'Unknown' as const, message: 'baton.yaml at 1234567 has errors; no app of … syncs until they are fixed:\nbaton.yaml:1:1: bad' };

describe('planOutcome', () => {
  const cases: [string, boolean, RenderPlan | DegradedPlan, Partial<AppStatus>, PlanOutcome][] = [
    ['Synced and rendering the same: only the revision seen moves', true, render('d1'), {}, { status: { observedRevision: commit } }],
    ['a new digest is synced', true, render('d2'), {}, { status: { syncStatus: 'OutOfSync', observedRevision: commit }, sync: 'new commit bbbbbbb', log: 'bbbbbbb changes it; sync queued' }],
    ['a manual app is only OutOfSync', false, render('d2'), {}, { status: { syncStatus: 'OutOfSync', observedRevision: commit } }],
    ['a revision that failed before waits', true, render('d2'), { lastFailedRevision: commit }, {}],
    ['a pinned app stays pinned', true, render('d2'), { pinnedRevision: live }, { status: { syncStatus: 'OutOfSync', observedRevision: commit, message: 'pinned to aaaaaaa by a rollback' } }],
    [
      'held by a broken baton.yaml, rendering the same: a sync that will find live in sync, the error cleared',
      true,
      render('d1'),
      held,
      { status: { syncStatus: 'OutOfSync', observedRevision: commit, message: '' }, sync: 'baton.yaml fixed at bbbbbbb', log: 'baton.yaml is fixed at bbbbbbb; sync queued' },
    ],
    ['held, rendering something new: synced, the error cleared', true, render('d2'), held, { status: { syncStatus: 'OutOfSync', observedRevision: commit, message: '' }, sync: 'baton.yaml fixed at bbbbbbb', log: 'baton.yaml is fixed at bbbbbbb; sync queued' }],
    ['held, manual, rendering the same: Synced again', false, render('d1'), held, { status: { syncStatus: 'Synced', observedRevision: commit, message: '' } }],
    ['held, manual, rendering something new: OutOfSync', false, render('d2'), held, { status: { syncStatus: 'OutOfSync', observedRevision: commit, message: '' } }],
    ['never synced (Unknown, no revision): a first sync', true, render('d1'), { syncStatus: 'Unknown', revision: null, manifestDigest: null }, { status: { syncStatus: 'OutOfSync', observedRevision: commit }, sync: 'new commit bbbbbbb', log: 'bbbbbbb changes it; sync queued' }],
  ];
  it.each(cases)('%s', (_, automated, plan, patch, expected) => {
    expect(planOutcome(policy(automated), commit, plan, status(patch))).toEqual(expected);
  });

  it('says why an unrenderable commit is Degraded', () => {
    const message = 'bbbbbbb does not render; nothing was applied:\napps/web/a.yaml:1:1: bad';
    expect(planOutcome(policy(true), commit, broken, status({}))).toEqual({ status: { syncStatus: 'OutOfSync', health: 'Degraded', message, observedRevision: commit }, log: message });
  });
});
