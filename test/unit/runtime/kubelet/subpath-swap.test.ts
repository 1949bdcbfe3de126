import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unmountBelow } from '../../../../runtime/kubelet/mounts-below.js';
import { subPathInside } from '../../../../runtime/kubelet/projection.js';

let root = '';

afterEach(() => {
  unmountBelow(root);
  rmSync(root, { recursive: true, force: true });
});

/** A volume with x/y/file, a host directory with y/file beside it, and the pod's own directory for staging. */
function layout(): { volume: string; host: string; staging: string } {
  root = mkdtempSync(join(tmpdir(), 'baton-subpath-'));
  const volume = join(root, 'volume');
  const host = join(root, 'host');
  mkdirSync(join(volume, 'x', 'y'), { recursive: true });
  writeFileSync(join(volume, 'x', 'y', 'file'), 'the volume\'s');
  mkdirSync(join(host, 'y'), { recursive: true });
  writeFileSync(join(host, 'y', 'file'), 'the host\'s');
  return { volume, host, staging: join(root, 'pod', 'volume-subpaths', 'c', '0') };
}

// CVE-2017-1002101 / CVE-2021-25741: a container of the pod swaps a directory of the volume for a
// symlink between the kubelet's check and the container runtime's mount.
describe.skipIf(process.getuid?.() !== 0)('a subPath checked, then swapped for a symlink before the mount', () => {
  it('still gives the directory that was checked, not where the symlink leads', async () => {
    const { volume, host, staging } = layout();
    const source = await subPathInside(volume, 'x/y', staging);
    renameSync(join(volume, 'x'), join(volume, 'x-was'));
    symlinkSync(host, join(volume, 'x'));
    expect(readFileSync(join(source, 'file'), 'utf8')).toBe('the volume\'s');
  });

  it('gives a file subPath as the file that was checked', async () => {
    const { volume, host, staging } = layout();
    const source = await subPathInside(volume, 'x/y/file', staging);
    renameSync(join(volume, 'x'), join(volume, 'x-was'));
    symlinkSync(host, join(volume, 'x'));
    expect(readFileSync(source, 'utf8')).toBe('the volume\'s');
  });

  it('stages again on the next start, without stacking mounts, and refuses a symlink already there', async () => {
    const { volume, host, staging } = layout();
    await subPathInside(volume, 'x/y', staging);
    writeFileSync(join(volume, 'x', 'y', 'file'), 'edited');
    expect(readFileSync(join(await subPathInside(volume, 'x/y', staging), 'file'), 'utf8')).toBe('edited');
    expect(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4] === staging)).toHaveLength(1);
    renameSync(join(volume, 'x'), join(volume, 'x-was'));
    symlinkSync(host, join(volume, 'x'));
    await expect(subPathInside(volume, 'x/y', staging)).rejects.toThrow(/symlink is never followed/);
  });

  it('keeps the runtime serving while mount(8) runs, and a swap in that window still changes nothing', async () => {
    const { volume, host, staging } = layout();
    // mount(8) held at a gate (a FIFO) until this test, on the same event loop, opens it: a mount run on the
    // event loop (execFileSync) would never see it opened, and time out.
    const gate = join(root, 'gate');
    execFileSync('mkfifo', [gate]);
    const bin = join(root, 'bin');
    mkdirSync(bin);
    const realMount = execFileSync('sh', ['-c', 'command -v mount'], { encoding: 'utf8' }).trim();
    writeFileSync(join(bin, 'mount'), `#!/bin/sh\nread go < '${gate}'\nexec '${realMount}' "$@"\n`, { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const staged = subPathInside(volume, 'x/y', staging);
      renameSync(join(volume, 'x'), join(volume, 'x-was'));
      symlinkSync(host, join(volume, 'x'));
      await writeFile(gate, 'go\n');
      expect(readFileSync(join(await staged, 'file'), 'utf8')).toBe('the volume\'s');
    } finally {
      process.env.PATH = path;
    }
  });
});
