import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createProcessDriver } from '../../runtime/kubelet/index.js';
import { describePodDriverConformance } from './pod-driver-conformance.js';
import { waitFor } from '../support/wait.js';

describePodDriverConformance('process', () => createProcessDriver());

// start resolves at the fork, before the wrapper has run setsid: a signal sent then must still reach the container's group.
it('ends a container signalled the moment its start resolves, before it leads its own process group', async () => {
  const driver = createProcessDriver();
  const dir = await mkdtemp(join(tmpdir(), 'baton-driver-'));
  try {
    const handles = await Promise.all(
      ['a', 'b', 'c'].map((c) =>
        driver.start({ podUid: 'uid-1', containerName: c, argv: ['sleep', '600'], env: {}, workingDir: '', mounts: [], logPath: join(dir, c, 'current.log'), exitPath: join(dir, c, 'exit-code') }),
      ),
    );
    for (const h of handles) driver.signal(h, 'SIGKILL');
    await waitFor('every container to end', () => handles.every((h) => !driver.isAlive(h)), { timeoutMs: 10_000 });
    await driver.settle?.();
    expect(handles.map((h) => driver.isAlive(h))).toEqual([false, false, false]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// The environment (Secrets among it) goes to the program on fd 3 from a file unlinked at once, and the sandbox's /tmp
// is assembled inside its own mount namespace: the host keeps no trace of either.
it('leaves no environment file and nothing of the sandbox on the host, beside the log or on /dev/shm', async () => {
  const driver = createProcessDriver();
  const dir = await mkdtemp(join(tmpdir(), 'baton-driver-'));
  const marker = `secret-${process.pid}-${Date.now()}`;
  try {
    const handle = await driver.start({
      podUid: 'uid-2', containerName: 'c', argv: ['/bin/sh', '-c', 'echo "got $SECRET"; ls -A /tmp'], env: { SECRET: marker }, workingDir: '', mounts: [],
      logPath: join(dir, 'c', 'current.log'), exitPath: join(dir, 'c', 'exit-code'),
    });
    await waitFor('the container to end', () => driver.exitCode(handle) !== undefined, { timeoutMs: 10_000 });
    expect(readFileSync(join(dir, 'c', 'current.log'), 'utf8').trim()).toBe(`got ${marker}`);
    expect(readdirSync(join(dir, 'c')).sort()).toEqual(['current.log', 'exit-code']);
    const handOffs = readdirSync('/dev/shm').filter((name) => name.startsWith(`baton-env-${process.pid}-`));
    expect(handOffs.length).toBeGreaterThan(0);
    for (const name of handOffs) expect(readdirSync(join('/dev/shm', name))).toEqual([]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
