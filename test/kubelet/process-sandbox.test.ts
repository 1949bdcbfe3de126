import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessDriver, mountNamespaceSupport, type ContainerLaunch, type PodDriver } from '../../runtime/kubelet/index.js';
import { DEFAULT_CAPABILITIES } from '../../runtime/kubelet/oci/oci-spec.js';
import { waitFor } from '../support/wait.js';

/** The per-mount options of `path` (mountinfo's 6th field) in a mountinfo dump. */
function mountOptions(mountinfo: string, path: string): string[] | undefined {
  const line = mountinfo.split('\n').filter((l) => l.split(' ')[4] === path).at(-1);
  return line?.split(' ')[5].split(',');
}

const statusField = (status: string, name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1].trim();

/** The bounding set a root pod keeps: a container's default capabilities. */
function defaultBoundingSet(): string {
  const numbers: Record<string, number> = {
    CAP_CHOWN: 0, CAP_DAC_OVERRIDE: 1, CAP_FOWNER: 3, CAP_FSETID: 4, CAP_KILL: 5, CAP_SETGID: 6, CAP_SETUID: 7, CAP_SETPCAP: 8,
    CAP_NET_BIND_SERVICE: 10, CAP_NET_RAW: 13, CAP_SYS_CHROOT: 18, CAP_MKNOD: 27, CAP_AUDIT_WRITE: 29, CAP_SETFCAP: 31,
  };
  return DEFAULT_CAPABILITIES.reduce((mask, c) => mask | (1n << BigInt(numbers[c])), 0n).toString(16).padStart(16, '0');
}

describe.skipIf(mountNamespaceSupport() !== true || process.getuid?.() !== 0)('the process sandbox as its program sees it', () => {
  let driver: PodDriver;
  let dir: string;
  /** A host mount with flags of its own (not below /tmp, so a root pod's sandbox makes it read-only). */
  let hostMount: string;
  let n = 0;

  const run = async (argv: string[], extra: Partial<ContainerLaunch> = {}) => {
    const c = `c${++n}`;
    const launch: ContainerLaunch = { podUid: 'uid-1', containerName: c, argv, env: {}, workingDir: '', mounts: [], logPath: join(dir, 'pods', c, 'current.log'), exitPath: join(dir, 'pods', c, 'exit-code'), ...extra };
    const handle = await driver.start(launch);
    await waitFor(`${c} to end`, () => !driver.isAlive(handle), { timeoutMs: 20_000 });
    return { code: driver.exitCode(handle), log: readFileSync(launch.logPath, 'utf8') };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-sandbox-'));
    hostMount = mkdtempSync('/run/baton-sandbox-test-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'nosuid,nodev,noexec,noatime,size=1m,mode=0755', 'tmpfs', hostMount]);
    // Hidden as baton's state dir is: outside /tmp, or the pod's own /tmp would hide it anyway.
    mkdirSync(join(hostMount, 'state'));
    writeFileSync(join(hostMount, 'state', 'token'), 'secret\n');
    driver = createProcessDriver({ hiddenPaths: [join(hostMount, 'state')], allowPrivileged: true });
    mkdirSync(join(hostMount, 'rw-volume-at'));
    writeFileSync(join(hostMount, 'host-file'), 'host\n');
  });

  afterAll(() => {
    if (hostMount) {
      execFileSync('umount', [hostMount]);
      rmSync(hostMount, { recursive: true, force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives a pod ro and rw volumes (nosuid, nodev), its own /tmp, /var/tmp and /dev/shm, the host read-only, no privileges and exactly its environment', async () => {
    const ro = join(dir, 'ro-src');
    const rw = join(dir, 'rw-src');
    mkdirSync(ro);
    mkdirSync(rw, { mode: 0o777 });
    chmodSync(rw, 0o777);
    writeFileSync(join(ro, 'f'), 'ro\n');
    const { code, log } = await run(['sh', '-c', [
      'cat /proc/self/mountinfo; echo ---; cat /proc/self/status; echo ---; tr "\\0" "\\n" < /proc/$$/environ; echo ---',
      'cat /tmp/deep/ro/f; touch /tmp/deep/ro/x 2>/dev/null && echo WROTE-RO; echo made > /tmp/rw/y && echo WROTE-RW',
      `touch ${hostMount}/planted 2>/dev/null && echo WROTE-HOST; ls -A ${join(hostMount, 'state')} | wc -l; pwd; exit 3`,
    ].join('\n')], {
      env: { 'DOTTED.NAME': 'a=b', MULTI: 'x\ny' },
      mounts: [{ source: ro, target: '/tmp/deep/ro', readOnly: true }, { source: rw, target: '/tmp/rw', readOnly: false }],
    });
    expect(code).toBe(3);
    const [mountinfo, status, env, rest] = log.split('---\n');
    expect(mountOptions(mountinfo, '/')).toContain('ro');
    expect(mountOptions(mountinfo, '/tmp/deep/ro')).toEqual(expect.arrayContaining(['ro', 'nosuid', 'nodev']));
    expect(mountOptions(mountinfo, '/tmp/rw')).toEqual(expect.arrayContaining(['rw', 'nosuid', 'nodev']));
    for (const own of ['/tmp', '/var/tmp', '/dev/shm']) expect(mountOptions(mountinfo, own)).toEqual(expect.arrayContaining(['rw', 'nosuid', 'nodev']));
    // A pod that is not root changes no host mount: the one with flags of its own keeps them, writable (but not to nobody).
    expect(mountOptions(mountinfo, hostMount)).toEqual(['rw', 'nosuid', 'nodev', 'noexec', 'noatime']);
    expect(statusField(status, 'Uid')).toBe('65534\t65534\t65534\t65534');
    expect(statusField(status, 'Groups')).toBe('');
    expect(statusField(status, 'NoNewPrivs')).toBe('1');
    for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(statusField(status, set)).toBe('0000000000000000');
    expect(env).toContain('DOTTED.NAME=a=b\n');
    expect(env).toContain('MULTI=x\ny\n');
    expect(rest).toBe('ro\nWROTE-RW\n0\n/tmp\n');
    expect(readFileSync(join(rw, 'y'), 'utf8')).toBe('made\n');
  });

  it('runs a root pod with every host mount read-only, their other flags kept, its rw volumes writable and a container\'s capabilities', async () => {
    const rw = join(dir, 'root-rw-src');
    mkdirSync(rw);
    const target = join(hostMount, 'rw-volume-at');
    const { code, log } = await run(['sh', '-c', `cat /proc/self/mountinfo; echo ---; cat /proc/self/status; echo ---; echo v > ${target}/w && echo WROTE-VOLUME; { echo h > ${hostMount}/host-file; } 2>/dev/null || echo HOST-READ-ONLY`], {
      user: { uid: 0, gid: 0, groups: [] },
      mounts: [{ source: rw, target, readOnly: false }],
    });
    expect(code).toBe(0);
    const [mountinfo, status, rest] = log.split('---\n');
    expect(mountOptions(mountinfo, '/')).toContain('ro');
    expect(mountOptions(mountinfo, hostMount)).toEqual(['ro', 'nosuid', 'nodev', 'noexec', 'noatime']);
    expect(mountOptions(mountinfo, target)).toEqual(expect.arrayContaining(['rw', 'nosuid', 'nodev']));
    expect(statusField(status, 'Uid')).toBe('0\t0\t0\t0');
    expect(statusField(status, 'CapBnd')).toBe(defaultBoundingSet());
    expect(statusField(status, 'CapInh')).toBe('0000000000000000');
    expect(statusField(status, 'NoNewPrivs')).toBe('1');
    expect(rest).toBe('WROTE-VOLUME\nHOST-READ-ONLY\n');
    expect(readFileSync(join(hostMount, 'host-file'), 'utf8')).toBe('host\n');
  });

  it('runs a pod as its user, group and supplementary groups', async () => {
    const { code, log } = await run(['cat', '/proc/self/status'], { user: { uid: 1000, gid: 1001, groups: [10, 20] } });
    expect(code).toBe(0);
    expect([statusField(log, 'Uid'), statusField(log, 'Gid'), statusField(log, 'Groups')]).toEqual(['1000\t1000\t1000\t1000', '1001\t1001\t1001\t1001', '10 20']);
    expect([statusField(log, 'CapBnd'), statusField(log, 'CapPrm'), statusField(log, 'NoNewPrivs')]).toEqual(['0000000000000000', '0000000000000000', '1']);
  });

  it('refuses a user or group that is not a plain id', async () => {
    for (const user of [{ uid: '0', gid: 0, groups: [] }, { uid: 1000, gid: 4294967295, groups: [] }, { uid: 1000, gid: 1000, groups: [1.5] }]) {
      await expect(driver.start({ podUid: 'uid-1', containerName: 'bad', argv: ['true'], env: {}, workingDir: '', mounts: [], logPath: join(dir, 'pods', 'bad', 'current.log'), exitPath: join(dir, 'pods', 'bad', 'exit-code'), user: user as never }))
        .rejects.toMatchObject({ reason: 'CreateContainerConfigError' });
    }
  });

  it('refuses a mount point that is a symlink, and a missing workingDir, naming what failed (exit 128)', async () => {
    const outer = join(dir, 'outer');
    mkdirSync(outer);
    symlinkSync(hostMount, join(outer, 'link'));
    const inner = join(dir, 'inner');
    mkdirSync(inner);
    const linked = await run(['true'], { mounts: [{ source: outer, target: '/tmp/o', readOnly: false }, { source: inner, target: '/tmp/o/link', readOnly: true }] });
    expect(linked).toEqual({ code: 128, log: 'baton: mount point /tmp/o/link is a symlink\n' });
    const noDir = await run(['true'], { workingDir: '/no/such/dir' });
    expect(noDir).toEqual({ code: 128, log: 'baton: cannot enter workingDir /no/such/dir\n' });
  });
});
