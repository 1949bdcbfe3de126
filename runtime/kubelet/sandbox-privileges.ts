import { DEFAULT_CAPABILITIES } from './oci/oci-spec.js';

/** The system calls that drop a sandbox's privileges, by number. */
export interface PrivilegeSyscalls {
  setgroups: number;
  setresgid: number;
  setresuid: number;
  prctl: number;
  capget: number;
  capset: number;
}

const X64: PrivilegeSyscalls = { setgroups: 116, setresgid: 119, setresuid: 117, prctl: 157, capget: 125, capset: 126 };
/** asm-generic/unistd.h: arm64, riscv64, loong64. */
const GENERIC: PrivilegeSyscalls = { setgroups: 159, setresgid: 149, setresuid: 147, prctl: 167, capget: 90, capset: 91 };
const BY_ARCH: Partial<Record<NodeJS.Architecture, PrivilegeSyscalls>> = { x64: X64, arm64: GENERIC, riscv64: GENERIC, loong64: GENERIC };

/** The numbers here; undefined on an architecture the sandbox zygote does not know. */
export function privilegeSyscalls(): PrivilegeSyscalls | undefined {
  return BY_ARCH[process.arch];
}

/** linux/capability.h: the numbers of the capabilities a container keeps. */
const CAPABILITY_NUMBERS: Record<string, number> = {
  CAP_CHOWN: 0, CAP_DAC_OVERRIDE: 1, CAP_FOWNER: 3, CAP_FSETID: 4, CAP_KILL: 5, CAP_SETGID: 6, CAP_SETUID: 7, CAP_SETPCAP: 8,
  CAP_NET_BIND_SERVICE: 10, CAP_NET_RAW: 13, CAP_SYS_CHROOT: 18, CAP_MKNOD: 27, CAP_AUDIT_WRITE: 29, CAP_SETFCAP: 31,
};

const PR = { CAPBSET_DROP: 24, SET_NO_NEW_PRIVS: 38 };
const CAPABILITY_VERSION_3 = 0x20080522;

/**
 * Perl that defines `drop_privileges(uid, gid, [groups], [capabilities kept])`,
 * compiled once by the sandbox zygote: what `setpriv --reuid=U --regid=G
 * --groups=…|--clear-groups --no-new-privs --bounding-set=… --inh-caps=-all`
 * does, in the set-up's own process (one exec of setpriv less per pod): the
 * groups and gid first, the bounding set while still privileged, no_new_privs,
 * the uid (the kernel clears a non-root user's permitted and effective sets),
 * then no inheritable capabilities (ambient ones go with them). A failure
 * exits 127, as setpriv.
 */
export function privilegeSubs(nr: PrivilegeSyscalls): string {
  return [
    'sub drop_privileges {',
    '  my ($uid, $gid, $groups, $keep) = @_;',
    '  my $no = sub { print STDERR "baton: cannot $_[0]: $!\\n"; exit 127 };',
    `  { my @g = @$groups; my $l = pack("L*", @g); syscall(${nr.setgroups}, scalar(@g), @g ? $l : 0) == 0 or $no->('set the groups'); }`,
    `  syscall(${nr.setresgid}, $gid, $gid, $gid) == 0 or $no->("set gid $gid");`,
    '  my $last = 63; if (open(my $c, "<", "/proc/sys/kernel/cap_last_cap")) { $last = <$c> + 0; close $c }',
    '  my %keep = map { $_ => 1 } @$keep;',
    `  for my $cap (0 .. $last) { next if $keep{$cap}; syscall(${nr.prctl}, ${PR.CAPBSET_DROP}, $cap, 0, 0, 0) == 0 or $no->("drop capability $cap from the bounding set"); }`,
    `  syscall(${nr.prctl}, ${PR.SET_NO_NEW_PRIVS}, 1, 0, 0, 0) == 0 or $no->('set no_new_privs');`,
    `  syscall(${nr.setresuid}, $uid, $uid, $uid) == 0 or $no->("set uid $uid");`,
    `  my $h = pack("LL", ${CAPABILITY_VERSION_3}, 0); my $d = "\\0" x 24; syscall(${nr.capget}, $h, $d) == 0 or $no->('read the capabilities');`,
    `  my @s = unpack("L6", $d); @s[2, 5] = (0, 0); $d = pack("L6", @s); syscall(${nr.capset}, $h, $d) == 0 or $no->('clear the inheritable capabilities');`,
    '}',
  ].join('\n');
}

/** The per-pod call of privilegeSubs' `drop_privileges`: root keeps a container's default capabilities, anyone else none. */
export function dropPrivilegesStep(user: { uid: number; gid: number; groups: number[] }): string {
  const keep = user.uid === 0 ? DEFAULT_CAPABILITIES.map((c) => CAPABILITY_NUMBERS[c]) : [];
  return `drop_privileges(${user.uid}, ${user.gid}, [${user.groups.join(', ')}], [${keep.join(', ')}]);`;
}
