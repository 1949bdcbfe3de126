import { describe, expect, it } from 'vitest';
import { createLogger } from '../../controller/observe/logging/create-logger.js';
import { KnownSecrets } from '../../controller/censor/known-secrets.js';
import { lineLogger } from '../../controller/observe/logging/line-logger.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ name: 'baton', level: 'info', pretty: false, destination: { write: (s: string) => void lines.push(s) }, env: {}, knownSecrets: new KnownSecrets() });
  return { say: lineLogger(logger), records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('lineLogger: lines of the controller and sync reconciler as JSON records', () => {
  it.each([
    ['applying 1a2b3c4 (7 objects)', { app: 'catalog', revision: '1a2b3c4d' }],
    ['1a2b3c4 is Healthy', { app: 'pr-12.catalog' }],
    ['1a2b3c4 failed, rolling back to 0f0f0f0: probe', { app: 'catalog', event: 'rollback' }],
  ])('%s', (line, context) => {
    const { say, records } = capture();
    say(line, context);
    const [record] = records();
    expect(record).toMatchObject({ msg: line, ...context, name: 'baton', level: 30 });
  });

  it.each(['repository shop: ls-remote failed', 'catalog: a sentence that names an app', 'SIGINT: stopping'])('%s: no context, no fields read out of the line', (line) => {
    const { say, records } = capture();
    say(line);
    const [record] = records();
    expect(record.msg).toBe(line);
    expect(record).not.toHaveProperty('app');
  });

  it('writes the context it is given: app, revision and job id', () => {
    const { say, records } = capture();
    say('applying 1a2b3c4', { app: 'web', revision: '1a2b3c4d', jobId: '42' });
    expect(records()[0]).toMatchObject({ msg: 'applying 1a2b3c4', app: 'web', revision: '1a2b3c4d', jobId: '42' });
  });
});
