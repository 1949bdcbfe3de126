import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { status } from './test-network.js';

describe('pod network on a machine that cannot run it', () => {
  it('refuses to start without root, saying what it needs', async () => {
    const entry = fileURLToPath(new URL('../../runtime/network/index.ts', import.meta.url));
    const script = `import(${JSON.stringify(entry)}).then((m) => m.startPodNetwork({ stateDir: '/nonexistent' }))
      .then(() => console.log('started'), (e) => console.log(e.code + ': ' + e.message))`;
    const result = await status('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '-e', script]);
    expect(result.output.trim()).toBe('UNSUPPORTED_HOST: the pod network needs root and iproute2/nftables: baton runs as uid 65534, not root');
  });
});
