import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Launcher } from '../../../../runtime/launcher/index.js';

// A launcher shell ended by a signal skips its EXIT trap; its directory may hold an environment hand-off (Secrets).
describe('launcher directories left by a killed shell', () => {
  it('removes a stale directory with no shell and keeps a fresh one', async () => {
    const stale = mkdtempSync('/dev/shm/baton-launcher-');
    writeFileSync(join(stale, 'env'), 'PASSWORD=hunter2\n', { mode: 0o600 });
    const hour = Date.now() / 1000 - 3600;
    utimesSync(stale, hour, hour);
    const fresh = mkdtempSync('/dev/shm/baton-launcher-');

    try {
      const result = await new Launcher().run('true', []);

      expect(result.code).toBe(0);
      expect(existsSync(stale)).toBe(false);
      // Younger than a minute: another runtime may be about to start its shell there.
      expect(existsSync(fresh)).toBe(true);
    } finally {
      rmSync(stale, { recursive: true, force: true });
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
