import { describe, expect, it } from 'vitest';
import { createLogger } from '../../controller/observe/logging/create-logger.js';
import { KnownSecrets } from '../../controller/censor/known-secrets.js';
import { lineLogger } from '../../controller/observe/logging/line-logger.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ name: 'baton', level: 'info', pretty: false, destination: { write: (s: string) => void lines.push(s) }, env: {}, knownSecrets: new KnownSecrets() });
  return { say: lineLogger(logger), records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('lineLogger: plain lines of the controller and sync reconciler as JSON records', () => {
  it.each([
    ['catalog: applying 1a2b3c4 (7 objects)', 'catalog'],
    ['pr-12.catalog: 1a2b3c4 is Healthy', 'pr-12.catalog'],
    ['repository shop: ls-remote failed', undefined],
    ['drift check: connection refused', undefined],
    ['SIGINT: stopping', undefined],
  ])('%s', (line, app) => {
    const { say, records } = capture();
    say(line);
    const [record] = records();
    expect(record.msg).toBe(line);
    expect(record.app).toBe(app);
    expect(record.name).toBe('baton');
    expect(record.level).toBe(30);
  });

  it('writes the context it is given: app, revision and job id', () => {
    const { say, records } = capture();
    say('web: applying 1a2b3c4', { app: 'web', revision: '1a2b3c4d', jobId: '42' });
    expect(records()[0]).toMatchObject({ msg: 'web: applying 1a2b3c4', app: 'web', revision: '1a2b3c4d', jobId: '42' });
  });
});
