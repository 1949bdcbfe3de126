/**
 * `seccompProfile: RuntimeDefault` for image containers: the system calls the
 * container runtimes' default profiles (containerd's, Docker's) keep from
 * containers, refused with EPERM; everything else is allowed. Most of them
 * already need a capability a container lacks; seccomp also closes those that
 * need none: new user and other namespaces (unshare, clone's CLONE_NEW*
 * flags, setns), keyrings, bpf, userfaultfd, perf_event_open, io_uring,
 * process_vm_readv/writev, and the new mount API. clone3 answers ENOSYS, so
 * libc falls back to clone, whose flags a filter can read. A privileged
 * container runs unconfined, as on Kubernetes.
 */
const REFUSED = [
  'acct', 'add_key', 'bpf', 'clock_adjtime', 'clock_settime', 'create_module', 'delete_module', 'finit_module',
  'fsconfig', 'fsmount', 'fsopen', 'fspick', 'get_kernel_syms', 'get_mempolicy', 'init_module', 'io_uring_enter',
  'io_uring_register', 'io_uring_setup', 'ioperm', 'iopl', 'kcmp', 'kexec_file_load', 'kexec_load', 'keyctl',
  'lookup_dcookie', 'mbind', 'mount', 'mount_setattr', 'move_mount', 'move_pages', 'name_to_handle_at', 'nfsservctl',
  'open_by_handle_at', 'open_tree', 'perf_event_open', 'pivot_root', 'process_vm_readv', 'process_vm_writev',
  'query_module', 'quotactl', 'quotactl_fd', 'reboot', 'request_key', 'set_mempolicy', 'setns', 'settimeofday',
  'stime', 'swapoff', 'swapon', 'sysfs', '_sysctl', 'syslog', 'umount', 'umount2', 'unshare', 'uselib',
  'userfaultfd', 'ustat', 'vm86', 'vm86old',
];

/** clone(2)'s flags that make new namespaces: CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET. */
const CLONE_NEW_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];

const EPERM = 1;
const ENOSYS = 38;

/** The architectures a filter covers, by Node's process.arch: the native one and those its kernel also runs. */
const ARCHITECTURES: Record<string, string[]> = {
  x64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  arm64: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
};

/** The OCI `linux.seccomp` of RuntimeDefault on this machine's architecture. */
export function runtimeDefaultSeccomp(arch: string = process.arch): Record<string, unknown> {
  const architectures = ARCHITECTURES[arch];
  if (!architectures) throw new Error(`no seccomp architecture known for ${arch}`);
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures,
    syscalls: [
      { names: REFUSED, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
      // One rule per flag: a filter compares (flags & mask) with a value, so "any of them set" is each one set.
      ...CLONE_NEW_FLAGS.map((flag) => ({
        names: ['clone'],
        action: 'SCMP_ACT_ERRNO',
        errnoRet: EPERM,
        args: [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }],
      })),
    ],
  };
}
