import { describe, expect, it } from 'vitest';
import { parseLogBlocks } from '../../controller/edges/cli/commands/logs.js';

describe('baton logs -o json', () => {
  it.each([
    ['no pods', '(app web has no pods)\n', []],
    [
      'two containers',
      '==> shop/web-1 web <==\nlistening\nGET /\n\n==> shop/web-1 sidecar <==\n(no log: container not started)\n',
      [
        { namespace: 'shop', pod: 'web-1', container: 'web', lines: ['listening', 'GET /'] },
        { namespace: 'shop', pod: 'web-1', container: 'sidecar', lines: ['(no log: container not started)'] },
      ],
    ],
    ['an empty log', '==> shop/web-1 web <==\n', [{ namespace: 'shop', pod: 'web-1', container: 'web', lines: [] }]],
    ['blank lines the app wrote', '==> shop/web-1 web <==\na\n\nb\n', [{ namespace: 'shop', pod: 'web-1', container: 'web', lines: ['a', '', 'b'] }]],
  ])('%s', (_name, text, logs) => {
    expect(parseLogBlocks(text)).toEqual(logs);
  });
});
