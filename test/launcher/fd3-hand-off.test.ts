import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Launcher } from '../../runtime/launcher/index.js';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

// Not a unit test: unit tests share one module graph, and a launcher's first shell sweeps /dev/shm once per process
// (test/unit/runtime/launcher/orphaned-dirs.test.ts needs that sweep to be its own).
// The process driver's environment hand-off: the secret must reach the program and never have a name while it runs.
describe('launcher start with fd 3', () => {
  it('gives the program an unlinked file as fd 3, though the caller closes its own as soon as start resolves', async () => {
    dir = mkdtempSync(join(tmpdir(), 'launcher-fd3-'));
    const secret = join(dir, 'env');
    writeFileSync(secret, 'PASSWORD=hunter2', { mode: 0o600 });
    const fd = openSync(secret, 'r');
    unlinkSync(secret);
    const output = join(dir, 'out.log');

    let started;
    try {
      started = await new Launcher().start('/bin/sh', ['-c', 'cat <&3; ls -A "$0"', dir], { cwd: dir, outputPath: output, fd3: fd });
    } finally {
      closeSync(fd);
    }

    expect(await started.exited).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe('PASSWORD=hunter2out.log\n');
    expect(readdirSync(dir)).toEqual(['out.log']);
  });

  it('reports a start whose fd 3 cannot be opened as a failure, not a hang', async () => {
    dir = mkdtempSync(join(tmpdir(), 'launcher-fd3-'));
    // Descriptors are allocated lowest first: this one is not open.
    const notOpen = 500_000;

    await expect(new Launcher().start('/bin/true', [], { cwd: dir, outputPath: join(dir, 'out.log'), fd3: notOpen })).rejects.toThrow(/did not start \(exit 126\)/);
  });
});
