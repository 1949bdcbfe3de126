import { ENV_SHIM } from './pod-env-handoff.js';
import { privilegeSubs, type PrivilegeSyscalls } from './sandbox-privileges.js';
import { setupSubs } from './sandbox-setup.js';

/** The system calls the zygote makes itself, by number. */
export interface ZygoteSyscalls {
  unshare: number;
  setns: number;
  prctl: number;
}

const X64: ZygoteSyscalls = { unshare: 272, setns: 308, prctl: 157 };
/** asm-generic/unistd.h: arm64, riscv64, loong64. */
const GENERIC: ZygoteSyscalls = { unshare: 97, setns: 268, prctl: 167 };
const BY_ARCH: Partial<Record<NodeJS.Architecture, ZygoteSyscalls>> = { x64: X64, arm64: GENERIC, riscv64: GENERIC, loong64: GENERIC };

/** The numbers here; undefined on an architecture the zygote does not know. */
export function zygoteSyscalls(): ZygoteSyscalls | undefined {
  return BY_ARCH[process.arch];
}

/** `$0` of every container wrapper the zygote forks, then a space and the container's exit file. */
export const WRAPPER_TITLE = 'baton-container';
/** `$0` of a sandbox's pid 1 once in the pod's namespaces (and of its program until it execs). */
export const INIT_TITLE = 'baton-sandbox-init';

const CLONE = { NEWNS: 0x20000, NEWUTS: 0x04000000, NEWIPC: 0x08000000, NEWPID: 0x20000000, NEWNET: 0x40000000 };
const MS = { NOSUID: 2, NODEV: 4, NOEXEC: 8, REC: 16384, PRIVATE: 1 << 18 };
const PR_SET_PDEATHSIG = 1;

/**
 * The sandbox zygote: one long-lived perl that forks every process pod's
 * sandbox instead of a shell chain of execs (sh, nsenter, unshare, sh as
 * pid 1, perl for the set-up: each costs a start about a millisecond of
 * CPU). Requests come on stdin: a line `<id> <n>`, then n fields, each a
 * line with its length in bytes and the bytes: exit file, working directory,
 * output file, stdin path ('' for /dev/null), a path to open as fd 3 (''
 * for none), the network namespace to enter ('' for the host's), the set-up
 * program (sandbox-setup.ts's, run by the container's process with @ARGV
 * = the rest), then its arguments (work dir, hostname, argv). It reports
 * `p <id> <pid> <start time>` once forked and `x <id> <status>` when that process ends.
 *
 * The tree it makes per request, as the shell chain made it:
 * - the wrapper (`baton-container <exit file>`): its own session, on the
 *   host's namespaces but for new pid namespace for its children; waits out
 *   TERM, INT and HUP, and writes the exit status to the exit file;
 * - pid 1 of the new pid namespace: enters the pod's network namespace, new
 *   mount (private), ipc and uts namespaces, its own /proc; dies with the
 *   wrapper; relays TERM, INT and HUP to the program and reaps orphans;
 *   exits with the program's status (128 + n for signal n), which ends
 *   everything left in the namespace;
 * - the program: runs the set-up program (mounts, privileges dropped, the
 *   environment from fd 3), which execs the program's argv.
 */
export function zygoteProgram(nr: ZygoteSyscalls, sysMount: number, privileges: PrivilegeSyscalls): string {
  // What every sandbox's set-up calls, compiled here once rather than in each pod's set-up program.
  const shared = [setupSubs(sysMount), privilegeSubs(privileges), `sub take_environment_and_exec { eval { ${ENV_SHIM} }; print STDERR $@; exit 127 }`].join('\n');
  return `
use strict; use warnings; use POSIX (); use Fcntl qw(O_WRONLY O_APPEND O_CREAT O_TRUNC O_RDWR O_RDONLY);
$0 = 'baton-sandbox-zygote'; binmode STDIN; binmode STDOUT; $| = 1;
my (%running, %early);
sub status { my $s = shift; ($s & 127) ? 128 + ($s & 127) : $s >> 8 }
sub reap { local ($!, $?); while ((my $p = waitpid(-1, POSIX::WNOHANG())) > 0) { my $c = status($?); if (defined(my $id = delete $running{$p})) { print "x $id $c\\n" } else { $early{$p} = $c } } }
$SIG{CHLD} = \\&reap; $SIG{PIPE} = 'IGNORE';
{ no strict; no warnings;
${shared}
}
sub field { my $len = <STDIN>; defined $len or exit 0; chomp $len; my $b = ''; while (length($b) < $len) { my $r = read(STDIN, $b, $len - length($b), length($b)); $r or exit 0 } $b }
sub die1 { print STDERR "baton: $_[0]: $!\\n"; POSIX::_exit(128) }
sub init {
  my ($w, $nsfd, $setup, @args) = @_;
  # A signal before the program exists is sent to it once it does.
  my $pending; $SIG{$_} = sub { $pending = $_[0] } for qw(TERM INT HUP);
  syscall(${nr.prctl}, ${PR_SET_PDEATHSIG}, 9, 0, 0, 0);
  # getppid is 0 across the pid namespace: the host's /proc, not yet covered, names the parent (the wrapper unless it died).
  my $ppid = 0; if (open(my $st, '<', '/proc/self/status')) { while (<$st>) { $ppid = $1 if /^PPid:\\s*(\\d+)/ } close $st }
  POSIX::_exit(128) if $ppid != $w;
  if ($nsfd) { syscall(${nr.setns}, fileno($nsfd), ${CLONE.NEWNET}) == 0 or die1("cannot enter the pod's network namespace") }
  syscall(${nr.unshare}, ${CLONE.NEWNS | CLONE.NEWIPC | CLONE.NEWUTS}) == 0 or die1('cannot make the sandbox\\'s namespaces');
  mnt('none', '/', 0, ${MS.REC | MS.PRIVATE}, 0) or die1('cannot make the mounts private');
  mnt('proc', '/proc', 'proc', ${MS.NOSUID | MS.NODEV | MS.NOEXEC}, 0) or die1('cannot mount /proc');
  # Titled only now, in its namespaces (not the wrapper's title, which a kubelet sweeping unknown containers looks for):
  # exec probes and kubectl exec enter a pid 1 of this title whose program has exec'd (sandboxInitPid).
  $0 = '${INIT_TITLE}';
  my $c = fork; defined $c or die1('cannot fork');
  if (!$c) { $SIG{$_} = 'DEFAULT' for qw(TERM INT HUP); @ARGV = @args; { no strict; no warnings; eval $setup; } my $e = $@; print STDERR $e =~ /^baton: / ? $e : "baton: $e" if $e; POSIX::_exit(128) }
  # The pod's environment is the program's alone.
  POSIX::close(3);
  $SIG{$_} = sub { kill $_[0], $c } for qw(TERM INT HUP);
  kill $pending, $c if $pending;
  while (1) { my $p = waitpid(-1, 0); POSIX::_exit(128) if $p < 0; POSIX::_exit(status($?)) if $p == $c }
}
sub wrapper {
  my ($exit, $cwd, $out, $in, $envfh, $netns, @rest) = @_;
  $SIG{CHLD} = 'DEFAULT'; $SIG{PIPE} = 'DEFAULT'; $SIG{$_} = sub {} for qw(TERM INT HUP);
  $0 = "${WRAPPER_TITLE} $exit";
  POSIX::setsid();
  my $code = 128;
  my $done = sub { if (sysopen(my $e, $exit, O_WRONLY | O_CREAT | O_TRUNC, 0644)) { print $e "$code\\n"; close $e } POSIX::_exit($code) };
  my $fail = sub { print STDERR "baton: $_[0]: $!\\n"; $done->() };
  sysopen(my $o, $out, O_WRONLY | O_APPEND | O_CREAT, 0600) or $fail->("cannot open $out");
  POSIX::dup2(fileno($o), 1); POSIX::dup2(fileno($o), 2); close $o;
  sysopen(my $i, length $in ? $in : '/dev/null', length $in ? O_RDWR : O_RDONLY) or $fail->("cannot open stdin $in");
  POSIX::dup2(fileno($i), 0); close $i;
  if ($envfh && fileno($envfh) != 3) { POSIX::dup2(fileno($envfh), 3); close $envfh }
  chdir $cwd or $fail->("cannot enter $cwd");
  my $nsfd; if (length $netns) { open($nsfd, '<', $netns) or $fail->("cannot open $netns") }
  syscall(${nr.unshare}, ${CLONE.NEWPID}) == 0 or $fail->('cannot make a pid namespace');
  my $w = $$; my $p1 = fork; defined $p1 or $fail->('cannot fork');
  init($w, $nsfd, @rest) if !$p1;
  close $nsfd if $nsfd; POSIX::close(3);
  while (1) { my $p = waitpid($p1, 0); if ($p == $p1) { $code = status($?); last } last if $p < 0 }
  $done->();
}
while (defined(my $head = <STDIN>)) {
  my ($id, $n) = split ' ', $head;
  my @f = map { field() } 1 .. $n;
  my $envfh; if (length $f[4]) { open($envfh, '<', $f[4]) or do { print "x $id 126\\n"; next } }
  my $pid = fork;
  if (!defined $pid) { print "x $id 255\\n"; next }
  wrapper(@f[0 .. 3], $envfh, @f[5 .. $#f]) if !$pid;
  close $envfh if $envfh;
  # The wrapper's start time (clock ticks since boot, /proc/<pid>/stat's 22nd field): with the pid, its identity.
  my $start = ''; if (open(my $st, '<', "/proc/$pid/stat")) { my $line = <$st> // ''; close $st; $start = (split / /, substr($line, rindex($line, ')') + 2))[19] // '' }
  print "p $id $pid $start\\n"; $running{$pid} = $id;
  # Ended before it was filed (reap ran between the fork and here): reported now, after its pid.
  if (exists $early{$pid}) { delete $running{$pid}; print "x $id ", delete $early{$pid}, "\\n" }
}
`;
}
