import { describe, expect, it } from 'vitest';
import type { AppDetail, AppSummary, RevisionHistoryEntry } from '../../controller/edges/api/contract.js';
import { applyAppEvent } from '../../controller/edges/dashboard/web/apply-app-event.js';
import { failureReason } from '../../controller/edges/dashboard/web/failure-reason.js';
import { filterApps } from '../../controller/edges/dashboard/web/filter-apps.js';
import { SseParser } from '../../controller/edges/dashboard/web/sse-parser.js';

// The dashboard's pure parts, run in Node: the event-stream parser, how events change the list,
// filters, and the plain-words failure reason. The browser test (dashboard-e2e) covers the rest.

describe('SseParser', () => {
  it.each([
    ['one message', ['id: 1-0\ndata: {"a":1}\n\n'], [{ kind: 'message', id: '1-0', data: '{"a":1}' }]],
    ['split anywhere', ['id: 1-', '0\nda', 'ta: x\n', '\n'], [{ kind: 'message', id: '1-0', data: 'x' }]],
    ['CRLF, CR split between chunks', ['data: a\r', '\ndata: b\r\n\r\n'], [{ kind: 'message', data: 'a\nb' }]],
    ['comments and retry', ['retry: 3000\n\n: subscribed\n\n: heartbeat\n\n'], [{ kind: 'retry', ms: 3000 }, { kind: 'comment', text: 'subscribed' }, { kind: 'comment', text: 'heartbeat' }]],
    ['a named event', ['event: error\ndata: {"message":"x"}\n\n'], [{ kind: 'message', event: 'error', data: '{"message":"x"}' }]],
    ['no data, no message', ['id: 2-0\n\n'], []],
  ])('%s', (_name, chunks, expected) => {
    const parser = new SseParser();
    expect(chunks.flatMap((c) => parser.push(c))).toEqual(expected);
  });

  it('keeps the last id for later messages, as EventSource does', () => {
    const parser = new SseParser();
    expect(parser.push('id: 5-0\ndata: a\n\ndata: b\n\n')).toEqual([
      { kind: 'message', id: '5-0', data: 'a' },
      { kind: 'message', id: '5-0', data: 'b' },
    ]);
  });
});

const summary = (name: string, patch: Partial<AppSummary> = {}): AppSummary => ({
  name,
  namespace: 'shop',
  cluster: 'local',
  revision: 'a'.repeat(40),
  syncStatus: 'Synced',
  health: 'Healthy',
  message: '',
  lastSync: '2026-01-01T00:00:00.000Z',
  ...patch,
});
const event = (type: string, app: string, data?: unknown) => ({ id: '1-0', type, app, time: '2026-01-01T00:00:00.000Z', data });

describe('applyAppEvent', () => {
  it('patches the fields an app.updated event carries, and only them', () => {
    const apps = new Map([['web', summary('web')]]);
    expect(applyAppEvent(apps, event('app.updated', 'web', { syncStatus: 'Syncing', health: 'Progressing', observedRevision: 'b'.repeat(40) }))).toBe('changed');
    expect(apps.get('web')).toEqual(summary('web', { syncStatus: 'Syncing', health: 'Progressing' }));
  });

  it('reads the status out of a sync.recorded event', () => {
    const apps = new Map([['web', summary('web', { syncStatus: 'Syncing' })]]);
    const status = { syncStatus: 'Synced', revision: 'c'.repeat(40), lastSync: '2026-01-02T00:00:00.000Z' };
    expect(applyAppEvent(apps, event('sync.recorded', 'web', { entry: { id: 2 }, status }))).toBe('changed');
    expect(apps.get('web')).toMatchObject(status);
  });

  it.each([
    ['an unknown app is fetched', 'app.updated', 'other', { health: 'Degraded' }, 'fetch'],
    ['a new app is fetched', 'app.registered', 'new', undefined, 'fetch'],
    ['an unchanged value changes nothing', 'app.updated', 'web', { health: 'Healthy' }, 'none'],
    ['other events change nothing', 'sync.started', 'web', { revision: 'x' }, 'none'],
  ])('%s', (_name, type, app, data, effect) => {
    const apps = new Map([['web', summary('web')]]);
    expect(applyAppEvent(apps, event(type, app, data))).toBe(effect);
  });

  it("shows the repository's problem an app.updated event carries, and clears it when it says '' again", () => {
    const apps = new Map([['web', summary('web')]]);
    const problem = 'source unreachable since 10:42: ECONNREFUSED';
    expect(applyAppEvent(apps, event('app.updated', 'web', { sourceMessage: problem }))).toBe('changed');
    expect(apps.get('web')?.sourceMessage).toBe(problem);
    expect(applyAppEvent(apps, event('app.updated', 'web', { sourceMessage: '' }))).toBe('changed');
    expect(apps.get('web')?.sourceMessage).toBe('');
  });

  it('removes a deleted app', () => {
    const apps = new Map([['web', summary('web')]]);
    expect(applyAppEvent(apps, event('app.deleted', 'web'))).toBe('changed');
    expect(apps.size).toBe(0);
  });
});

describe('filterApps', () => {
  const apps = [summary('cart'), summary('catalog', { health: 'Degraded' }), summary('users', { namespace: 'identity', syncStatus: 'OutOfSync' })];
  it.each([
    [{ text: 'CAT', sync: '', health: '', namespace: '' }, ['catalog']],
    [{ text: 'identity', sync: '', health: '', namespace: '' }, ['users']],
    [{ text: '', sync: 'Synced', health: 'Healthy', namespace: '' }, ['cart']],
    [{ text: '', sync: '', health: '', namespace: 'shop' }, ['cart', 'catalog']],
    [{ text: 'c', sync: '', health: 'Degraded', namespace: '' }, ['catalog']],
  ])('%o shows %o', (filter, names) => {
    expect(filterApps(apps, filter).map((a) => a.name)).toEqual(names);
  });
});

describe('failureReason', () => {
  const detail = (patch: Partial<AppDetail>): AppDetail => ({
    ...summary('web'),
    observedRevision: null,
    manifestDigest: null,
    pinnedRevision: null,
    lastFailedRevision: null,
    pendingSync: null,
    ...patch,
  });
  const entry = (patch: Partial<RevisionHistoryEntry>): RevisionHistoryEntry => ({
    id: 1,
    revision: 'd'.repeat(40),
    digest: 'sha256:x',
    result: 'Succeeded',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:10.000Z',
    durationMs: 10_000,
    trigger: 'poll',
    message: 'ddddddd is Healthy',
    ...patch,
  });

  it('says a render error applied nothing, naming the failing revision', () => {
    const app = detail({ health: 'Degraded', syncStatus: 'OutOfSync', observedRevision: 'e'.repeat(40), message: 'eeeeeee does not render; nothing was applied:\nenv/web.yaml:3:1: YAML: bad' });
    expect(failureReason(app, [])).toMatchObject({ current: true, headline: 'Revision eeeeeee could not be rendered, so nothing was applied. Fix the file named below and commit again.', detail: app.message });
  });

  it('says a rollout that never became healthy was rolled back', () => {
    const message = 'fffffff failed and was rolled back to ddddddd: pod web-1: readiness probe failed';
    const app = detail({ health: 'Degraded', lastFailedRevision: 'f'.repeat(40), message });
    const reason = failureReason(app, [entry({ id: 2, result: 'RolledBack', revision: 'f'.repeat(40), message }), entry({})]);
    expect(reason).toMatchObject({ current: true, at: '2026-01-01T00:00:10.000Z' });
    expect(reason!.headline).toBe('Revision fffffff did not become healthy, so baton rolled it back to ddddddd. The pods\' own account is below.');
  });

  it('shows the last failure of a recovered app as past, and nothing for an app that never failed', () => {
    const failed = entry({ id: 1, result: 'Failed', message: 'cannot sync to cluster "east": no answer' });
    expect(failureReason(detail({}), [entry({ id: 2 }), failed])).toMatchObject({ current: false, headline: 'The destination cluster could not be reached, so nothing was applied.' });
    expect(failureReason(detail({}), [entry({})])).toBeNull();
    expect(failureReason(detail({ syncStatus: 'Unknown', message: 'waiting for users to be Healthy' }), [])).toBeNull();
  });
});
