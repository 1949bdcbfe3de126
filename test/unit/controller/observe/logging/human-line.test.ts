import { describe, expect, it } from 'vitest';
import { humanLine } from '../../../../../controller/observe/logging/human-line.js';

const at = new Date(2026, 11, 6, 9, 8, 36, 874).getTime();
const line = (record: object) => JSON.stringify({ level: 30, time: at, pid: 1, hostname: 'vm', name: 'baton', ...record });

describe('humanLine', () => {
  it.each([
    ['a line about an app, the revision it quotes not repeated', { app: 'inventory', revision: 'f792010474090901f7bcb7d519e9159d1c196d38', msg: 'f792010 changes it; sync queued' }, '09:08:36  INFO   inventory  f792010 changes it; sync queued\n'],
    ['fields as key=value, commit ids short', { app: 'orders', msg: 'sync started', revision: 'f792010474090901f7bcb7d519e9159d1c196d38', trigger: 'poll', attempt: 1 }, '09:08:36  INFO   orders  sync started  revision=f792010 trigger=poll attempt=1\n'],
    ['no app', { msg: 'copied examples-repo/' }, '09:08:36  INFO   copied examples-repo/\n'],
    ['another component named', { name: 'baton-worker', level: 40, msg: 'slow' }, '09:08:36  WARN   [baton-worker]  slow\n'],
    ['an error with its message', { level: 50, msg: 'sync failed', err: { message: 'connection refused', stack: 'Error: connection refused\n    at x' } }, '09:08:36  ERROR  sync failed: connection refused\n'],
    ['text that is not JSON', undefined, 'plain\n'],
  ])('%s', (_what, record, expected) => {
    expect(humanLine(record ? line(record) : 'plain\n')).toBe(expected);
  });

  it('shows the stack only when asked', () => {
    const json = line({ level: 50, msg: 'boom', err: { message: 'bad', stack: 'Error: bad\n    at here' } });
    expect(humanLine(json, { stacks: true })).toContain('    at here');
    expect(humanLine(json)).not.toContain('at here');
  });

  it('colours the level by severity, only when asked', () => {
    expect(humanLine(line({ level: 50, msg: 'x' }), { colour: true })).toContain('\u001b[31mERROR');
    expect(humanLine(line({ level: 30, msg: 'x' }), { colour: true })).toContain('\u001b[32mINFO');
    expect(humanLine(line({ level: 30, msg: 'x' }))).not.toContain('\u001b[');
  });
});
