import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../../controller/observe/logging/create-logger.js';
import { KnownSecrets } from '../../../../../controller/censor/known-secrets.js';
import { logOutput, parseLogFormat } from '../../../../../controller/observe/logging/log-output.js';

function firstLine(): string {
  const lines: string[] = [];
  createLogger({ name: 'baton', destination: { write: (s: string) => void lines.push(s) }, env: {}, knownSecrets: new KnownSecrets() }).info({ app: 'catalog' }, 'sync started');
  return lines[0];
}

describe('--log-format', () => {
  afterEach(() => Object.assign(logOutput, { format: 'auto', stacks: false }));

  it.each([
    ['auto', /^\{"level":30,/],
    ['json', /^\{"level":30,/],
    ['human', /^\d\d:\d\d:\d\d {2}INFO {3}catalog {2}sync started\n$/],
  ] as const)('%s writes lines to a pipe as expected', (format, expected) => {
    logOutput.format = format;
    expect(firstLine()).toMatch(expected);
  });

  it('accepts json, human and auto, and names the flag for anything else', () => {
    expect(parseLogFormat(undefined)).toBe('auto');
    expect(parseLogFormat('json')).toBe('json');
    expect(() => parseLogFormat('yaml', 'BATON_LOG_FORMAT')).toThrow('BATON_LOG_FORMAT: "yaml" is not a log format; use json, human or auto');
  });
});
