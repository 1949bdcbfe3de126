import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * What the root-owned helpers of a sandbox (sh, unshare, the set-up's perl,
 * setpriv, nsenter) run with: never the pod's environment, which could name a PATH or
 * LD_PRELOAD of the pod's choosing and run its code as root.
 */
export const HELPER_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };

/**
 * The last step inside the sandbox, already as the pod's user: read the
 * pod's environment from fd 3 (`NAME=value` records, NUL-separated), close
 * it, and exec the program with exactly that environment (PATH search as
 * execvp does). perl-base is Essential on Debian, so it is always there.
 * The sandbox's set-up runs it as its own last step, once it has dropped the
 * privileges (sandbox-privileges.ts); `kubectl exec` runs it after setpriv.
 */
export const ENV_SHIM = [
  'open(my $f, "<&=", 3) or die "baton: no environment: $!\\n";',
  'my $d = do { local $/; <$f> }; close $f;',
  '%ENV = (); for (split /\\0/, $d) { my ($k, $v) = split /=/, $_, 2; $ENV{$k} = $v if defined $v; }',
  'exec { $ARGV[0] } @ARGV or do { print STDERR "baton: cannot run $ARGV[0]: $!\\n"; exit 127; };',
].join(' ');

/** The argv prefix that runs ENV_SHIM; the program's argv follows. */
export const ENV_SHIM_ARGV = ['/usr/bin/perl', '-e', ENV_SHIM, '--'];

/**
 * Writes the environment to a root-only file in `dir` (a directory no pod can
 * read) and returns its path; whoever starts the program opens it as fd 3 and
 * removes it at once, so the values never appear in a command line.
 */
export function environmentFile(dir: string, env: Record<string, string>): string {
  const file = `${dir}/.env-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(file, Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\0'), { mode: 0o600 });
  return file;
}

let tmpfsDir: string | undefined;
const HAND_OFF_PREFIX = 'baton-env-';

/** Whether process `pid` exists (ours or not). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the hand-off directories of processes that are gone without their exit handler (a kill, a test worker). */
function removeOrphanedHandOffDirs(): void {
  for (const name of readdirSync('/dev/shm')) {
    const pid = Number(/^baton-env-(\d+)-/.exec(name)?.[1]);
    if (pid && !processExists(pid)) rmSync(`/dev/shm/${name}`, { recursive: true, force: true });
  }
}

/**
 * This process's private directory (0700, a fresh name with its pid) on
 * /dev/shm, removed at exit, or by the next process to make one once this one
 * is gone; '' where there is no /dev/shm. A file made and unlinked there costs
 * a fraction of one on the state dir's disk (in a burst of pod starts on ext4
 * each new inode cost the runtime ~0.15 ms of CPU, more after much deletion).
 */
function handOffDir(): string {
  if (tmpfsDir === undefined) {
    try {
      removeOrphanedHandOffDirs();
      const dir = mkdtempSync(`/dev/shm/${HAND_OFF_PREFIX}${process.pid}-`);
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      tmpfsDir = dir;
    } catch {
      tmpfsDir = '';
    }
  }
  return tmpfsDir;
}

/**
 * The environment as an open, already unlinked file: the returned fd (passed
 * as the child's fd 3) is the only way to it. Close it after the spawn. The
 * file lives for moments in this process's private directory on /dev/shm, or
 * in `dir` (a directory no pod can read) without one.
 */
export function environmentFd(dir: string, env: Record<string, string>): number {
  let file: string;
  try {
    file = environmentFile(handOffDir() || dir, env);
  } catch (err) {
    if (!tmpfsDir) throw err;
    // The private directory went (a cleaner of /dev/shm): the next hand-off makes another.
    tmpfsDir = undefined;
    file = environmentFile(dir, env);
  }
  try {
    return openSync(file, 'r');
  } finally {
    unlinkSync(file);
  }
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}
