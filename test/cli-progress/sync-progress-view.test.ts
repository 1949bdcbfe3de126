import { describe, expect, it } from 'vitest';
import { SyncProgressView } from '../../controller/edges/cli/sync-progress-view.js';
import type { StateEvent } from '../../controller/state/state-event.js';

let seq = 0;
const ev = (type: string, data: unknown): StateEvent => ({ id: `${++seq}-0`, type, app: 'web', time: '2026-11-25T23:40:0' + (seq % 10) + '.000Z', data });
const deployment = (state: string, message: string, ready: number, desired = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'web',
  name: 'web',
  state,
  message,
  replicas: { desired, updated: desired, ready },
});

/** A sync that applies two objects, waits for two pods, fails and is rolled back. */
const script: StateEvent[] = [
  ev('sync.started', { revision: 'b'.repeat(40), trigger: 'manual' }),
  ev('sync.applied', { phase: 'sync', applied: 1, total: 2, object: { kind: 'Service', namespace: 'web', name: 'web', action: 'configured' } }),
  ev('sync.applied', { phase: 'sync', applied: 2, total: 2, object: { kind: 'Deployment', namespace: 'web', name: 'web', action: 'configured' } }),
  ev('sync.progress', { phase: 'sync', workload: deployment('progressing', '0 of 2 updated replicas are available', 0) }),
  ev('sync.progress', { phase: 'sync', workload: deployment('progressing', '1 of 2 updated replicas are available', 1) }),
  ev('sync.progress', { phase: 'sync', workload: deployment('failed', 'exceeded its progress deadline', 1) }),
  ev('sync.applied', { phase: 'rollback', applied: 1, total: 1, object: { kind: 'Deployment', namespace: 'web', name: 'web', action: 'configured' } }),
  ev('sync.progress', { phase: 'rollback', workload: deployment('done', '2 of 2 replicas available', 2) }),
  ev('sync.recorded', { entry: { id: 2, revision: 'b'.repeat(40), result: 'RolledBack', durationMs: 12_300, message: 'bbbbbbb failed and was rolled back to aaaaaaa' } }),
];

function run(mode: 'tty' | 'plain'): string {
  let text = '';
  const view = new SyncProgressView({ write: (t: string) => (text += t), columns: 100 }, mode);
  for (const e of script) view.event(e);
  view.end();
  return text;
}

describe('baton sync --wait progress', () => {
  it('plain: one line per event, with objects applied and pods ready as counts', () => {
    const lines = run('plain').trimEnd().split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d {2}web {2}/, ''));
    expect(lines).toEqual([
      'syncing to bbbbbbb (manual)',
      'applied 1/2: Service web/web (configured)',
      'applied 2/2: Deployment web/web (configured)',
      'Deployment web/web: 0 of 2 updated replicas are available (0/2 ready)',
      'Deployment web/web: 1 of 2 updated replicas are available (1/2 ready)',
      'Deployment web/web failed: exceeded its progress deadline',
      'rolling back to the last healthy manifests',
      'rollback: applied 1/1: Deployment web/web (configured)',
      'rollback: Deployment web/web is rolled out (2/2 ready)',
      'RolledBack at bbbbbbb after 12.3s: bbbbbbb failed and was rolled back to aaaaaaa',
    ]);
    expect(run('plain')).not.toContain('\x1b');
  });

  it('tty: a live status line with a bar, redrawn in place, and only the lasting moments as lines', () => {
    const out = run('tty');
    expect(out).toContain('\r\x1b[2Kapplying  [##########··········] 1/2 objects  Service web/web');
    expect(out).toContain('\r\x1b[2Krolling out  [····················] 0/2 pods ready  web 0/2');
    expect(out).toContain('\r\x1b[2Krolling out  [##########··········] 1/2 pods ready  web 1/2');
    // What stays on screen once every status line is wiped: the story, without the in-between counts.
    const screen = out
      .split('\n')
      .map((line) => line.split('\r\x1b[2K').at(-1)!)
      .filter(Boolean)
      .map((l) => l.replace(/^\d\d:\d\d:\d\d {2}web {2}/, ''));
    expect(screen).toEqual([
      'syncing to bbbbbbb (manual)',
      'Deployment web/web failed: exceeded its progress deadline',
      'rolling back to the last healthy manifests',
      'rollback: Deployment web/web is rolled out (2/2 ready)',
      'RolledBack at bbbbbbb after 12.3s: bbbbbbb failed and was rolled back to aaaaaaa',
    ]);
    expect(out.endsWith('\n') || out.endsWith('\r\x1b[2K')).toBe(true);
  });
});
