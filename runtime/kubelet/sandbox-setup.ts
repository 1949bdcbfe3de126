import { dirname } from 'node:path';

/** One bind of a volume into the sandbox. */
export interface SandboxBind {
  source: string;
  target: string;
  readOnly: boolean;
}

/** What the set-up program mounts, hides and makes read-only (process-sandbox.ts's SandboxMounts, less the user). */
export interface SandboxSetup {
  binds: SandboxBind[];
  hidden: string[];
  stage: string;
  etcFiles?: { hosts: string; hostname: string; resolvConf: string };
  /** Root pods: every mount but the pod's own goes read-only, not `/` alone. */
  everyMountReadOnly: boolean;
}

/**
 * mount(2)'s number, by the runtime's architecture (the set-up calls it
 * through perl's `syscall`: no exec of mount(8) per mount).
 */
const SYS_MOUNT: Partial<Record<NodeJS.Architecture, number>> = { x64: 165, arm64: 40, riscv64: 40, loong64: 40, ia32: 21, arm: 21, ppc64: 21, s390x: 21 };

/** mount(2)'s number here, or undefined on an architecture the set-up does not know. */
export function mountSyscall(): number | undefined {
  return SYS_MOUNT[process.arch];
}

/** Perl that execs the rest of the arguments (the program, or setpriv that runs it). */
export const EXEC_ARGV = 'exec { $ARGV[0] } @ARGV or do { print STDERR "baton: cannot run $ARGV[0]: $!\\n"; exit 127 };';

const MS = { RDONLY: 1, NOSUID: 2, NODEV: 4, REMOUNT: 32, BIND: 4096, MOVE: 8192 };

/** A perl string literal that reads back as exactly `s`. */
function pq(s: string): string {
  return `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/**
 * The fixed part, compiled once by the sandbox zygote (not per pod): `fail`
 * ends the set-up (exit 128); `mnt` is mount(2); `mkdirp` makes a path;
 * `ro` remounts a mount read-only keeping its other flags, as util-linux's
 * `mount -o remount,bind,ro` does (a bind remount clears the flags it does
 * not name): from the last entry for that path in the mount table, which
 * `table` reads into `@mp` and `%fl` (package variables: the per-pod program
 * reads `@mp`).
 */
export function setupSubs(sysMount: number): string {
  return [
    'sub fail { print STDERR "baton: $_[0]\\n"; exit 128 }',
    // Copies: perl's syscall takes no read-only string (a literal), it may write through any pointer it passes.
    `sub mnt { my ($s, $t, $y, $f, $d) = @_; syscall(${sysMount}, $s, $t, $y, $f, $d) == 0 }`,
    // What an X-mount.mkdir (mode 0755) or `mkdir -p` (0777) makes; both follow symlinks and keep what exists.
    'sub mkdirp { my ($p, $m) = @_; my $d = ""; for (grep { length } split m{/}, $p) { $d .= "/$_"; -d $d or mkdir($d, $m) or -d $d or return 0 } 1 }',
    'our (@mp, %fl); our %bit = (nosuid => 2, nodev => 4, noexec => 8, nosymfollow => 256, noatime => 1024, nodiratime => 2048, relatime => 2097152);',
    'sub table { open(my $t, "<", "/proc/self/mountinfo") or return; while (<$t>) { my $m = (split / /)[4]; my $f = 0; $f |= $bit{$_} // 0 for split /,/, (split / /)[5]; $m =~ s/\\\\([0-7]{3})/chr(oct($1))/ge; push @mp, $m unless exists $fl{$m}; $fl{$m} = $f } close $t }',
    `sub ro { mnt("none", $_[0], 0, ${MS.REMOUNT | MS.BIND | MS.RDONLY} | ($fl{$_[0]} // 0), 0) }`,
  ].join('\n');
}

/** Binds the pod's /etc files over the host's; a host without /etc/hostname keeps none. */
function etcSteps(files: NonNullable<SandboxSetup['etcFiles']>): string[] {
  const steps: string[] = [];
  for (const [source, target, required] of [[files.resolvConf, '/etc/resolv.conf', true], [files.hosts, '/etc/hosts', true], [files.hostname, '/etc/hostname', false]] as const) {
    const bind = `mnt(${pq(source)}, '${target}', 0, ${MS.BIND}, 0) or fail "cannot mount ${target}: $!";`;
    if (required) steps.push(`-e '${target}' or fail ${pq(`${target} does not exist on the host: a process pod's own is mounted over it`)};`, bind);
    else steps.push(`if (-e '${target}') { ${bind} }`);
  }
  return steps;
}

/**
 * Binds a volume, never following a symlink at the mount point and never
 * letting a device node or setuid file of the volume count: a bind, then a
 * remount with the flags (a bind alone takes none), as libmount does for
 * `mount --bind -o nodev,nosuid[,ro]`. Below the pod's own /tmp (`create`)
 * the mount point is made; elsewhere it must already exist on the host, which
 * a pod may never change.
 */
function bindSteps(bind: SandboxBind, at: string, create: boolean): string[] {
  const t = pq(at);
  const why = `fail ${pq(`cannot mount volume at ${bind.target}`)} . ": $!"`;
  const symlink = `-l ${t} and fail ${pq(`mount point ${bind.target} is a symlink`)};`;
  const flags = MS.NOSUID | MS.NODEV | (bind.readOnly ? MS.RDONLY : 0);
  const mount = `(mnt(${pq(bind.source)}, ${t}, 0, ${MS.BIND | flags}, 0) and mnt("none", ${t}, 0, ${MS.REMOUNT | MS.BIND | flags}, 0)) or ${why};`;
  if (!create) {
    return [`-e ${t} or fail ${pq(`mount point ${bind.target} does not exist on the host: a process pod mounts volumes below /tmp or at paths that exist, and makes nothing on the host`)};`, symlink, mount];
  }
  return [
    `if (-d ${pq(bind.source)}) { ${symlink} mkdirp(${t}, 0755) or ${why}; }`,
    // (A `my` is seen only from the next statement on: open and close in one expression closed another $f.)
    `else { mkdirp(${pq(dirname(at))}, 0777) or ${why}; ${symlink} -e ${t} or do { open(my $f, ">", ${t}) or ${why}; close $f }; }`,
    mount,
  ];
}

/**
 * The perl program that sets the sandbox up, as root in the pod's new mount
 * namespace, in one process instead of a dozen execs of mount(8) (each cost a
 * pod's start ~5 ms of CPU, most of its set-up): a fresh /tmp (volumes below
 * /tmp are assembled on it first, so nothing is made in the host's /tmp), the
 * other volumes, /var/tmp, /dev/shm, baton's state hidden, the host's root
 * read-only (every mount, for a root pod), the hostname, the working
 * directory; then `finish` (by default: exec the rest of its arguments).
 * Arguments: work dir, hostname, what to exec. A failure prints `baton: …`
 * and exits 128. It calls setupSubs' subroutines, which the zygote defines.
 */
export function sandboxSetupProgram(setup: SandboxSetup, finish: string[] = [EXEC_ARGV]): string {
  const steps = ['my ($wd, $hn) = splice @ARGV, 0, 2;'];
  // Before the volumes (a volume at one of these paths wins) and before baton's state dir, where the files live, is hidden.
  if (setup.etcFiles) steps.push(...etcSteps(setup.etcFiles));
  // A volume at /tmp itself is the pod's /tmp; otherwise a fresh tmpfs is.
  const tmpVolume = setup.binds.find((b) => b.target === '/tmp');
  steps.push(tmpVolume
    ? `mnt(${pq(tmpVolume.source)}, ${pq(setup.stage)}, 0, ${MS.BIND}, 0) or fail "cannot mount volume at /tmp: $!";`
    : `mnt("tmpfs", ${pq(setup.stage)}, "tmpfs", ${MS.NOSUID | MS.NODEV}, "mode=1777") or fail "cannot mount /tmp: $!";`);
  // Every bind happens before the new /tmp is moved into place: the sources may live below the host's /tmp.
  const underTmp = (t: string) => t.startsWith('/tmp/');
  for (const b of setup.binds.filter((b) => !underTmp(b.target) && b !== tmpVolume)) steps.push(...bindSteps(b, b.target, false));
  for (const b of setup.binds.filter((b) => underTmp(b.target))) steps.push(...bindSteps(b, `${setup.stage}${b.target.slice(4)}`, true));
  steps.push(`mnt(${pq(setup.stage)}, "/tmp", 0, ${MS.MOVE}, 0) or fail "cannot mount /tmp: $!";`);
  steps.push(`for my $d ("/var/tmp", "/dev/shm") { -d $d or next; mnt("tmpfs", $d, "tmpfs", ${MS.NOSUID | MS.NODEV}, "mode=1777") or fail "cannot mount $d: $!" }`);
  for (const dir of setup.hidden) steps.push(`-d ${pq(dir)} and (mnt("tmpfs", ${pq(dir)}, "tmpfs", ${MS.RDONLY}, "mode=0755,size=4k") or fail ${pq(`cannot hide ${dir}`)} . ": $!");`);
  steps.push('table(); ro("/") or fail "cannot make / read-only: $!";');
  if (setup.everyMountReadOnly) {
    // Root could write wherever permissions allow: every other mount goes read-only too, then the volumes as asked.
    steps.push('ro($_) for grep { $_ ne "/" && !m{^/(proc|tmp|var/tmp|dev/shm)(/|$)} } @mp;');
    for (const b of setup.binds) if (!b.readOnly) steps.push(`mnt("none", ${pq(b.target)}, 0, ${MS.REMOUNT | MS.BIND | MS.NOSUID | MS.NODEV}, 0);`);
  }
  steps.push(
    // The uts namespace's own name: no exec of hostname(1).
    'if (open(my $h, ">", "/proc/sys/kernel/hostname")) { print $h $hn; close $h }',
    'if (length $wd) { chdir $wd or fail "cannot enter workingDir $wd" } else { chdir "/tmp" }',
    ...finish,
  );
  return steps.join('\n');
}
