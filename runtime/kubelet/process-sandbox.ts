import { readFileSync } from 'node:fs';
import { DEFAULT_CAPABILITIES } from './oci/oci-spec.js';
import { ENV_SHIM, ENV_SHIM_ARGV } from './pod-env-handoff.js';
import { dropPrivilegesSteps, privilegeSyscalls } from './sandbox-privileges.js';
import { mountSyscall, sandboxSetupProgram } from './sandbox-setup.js';

/** Who a sandboxed host program runs as. */
export interface SandboxUser {
  uid: number;
  gid: number;
  groups: number[];
}

/** `nobody`: what a host-program pod runs as unless its securityContext says otherwise. */
export const NOBODY = 65534;

function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * setpriv's arguments: the user, no new privileges ever (host binaries may be
 * setuid), and root keeps only the capabilities a container would have.
 */
export function setprivArgs(user: SandboxUser): string[] {
  const caps = user.uid === 0 ? `-all,${DEFAULT_CAPABILITIES.map((c) => `+${c.slice(4).toLowerCase()}`).join(',')}` : '-all';
  const groups = user.groups.length ? [`--groups=${user.groups.join(',')}`] : ['--clear-groups'];
  return ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, ...groups, '--no-new-privs', `--bounding-set=${caps}`, '--inh-caps=-all', '--'];
}

export interface SandboxMounts {
  /** Volumes bound at their mount paths, before anything is hidden. */
  binds: Array<{ source: string; target: string; readOnly: boolean }>;
  /** Directories covered by an empty read-only tmpfs (baton's state dir). */
  hidden: string[];
  user: SandboxUser;
  /**
   * A host directory of baton's (the container's own) over which the pod's /tmp is assembled, in the sandbox's mount
   * namespace, before it is moved into place; what it holds stays as it is on the host.
   */
  stage: string;
  /**
   * The pod's own hosts, hostname and resolv.conf (a pod on the pod network), bound over the host's.
   * @defaultValue absent: the host's files
   */
  etcFiles?: { hosts: string; hostname: string; resolvConf: string };
}

/**
 * unshare's arguments that make the sandbox: new pid, mount, ipc and uts
 * namespaces, pid 1 forked into them with the pod's own /proc already mounted
 * (nosuid, nodev, noexec: unshare does it, one exec of mount less per pod).
 */
export const SANDBOX_NAMESPACES = ['--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private', '--ipc', '--uts'];

/**
 * The script pid 1 of the pod's new namespaces (SANDBOX_NAMESPACES) runs as
 * root, on the pod's own /proc: one process sets the sandbox up
 * (sandboxSetupProgram: volumes, /tmp, baton's state hidden, the host's root
 * read-only) and execs setpriv, which starts the program as the pod's user;
 * pid 1 relays signals to it. When the program ends, pid 1 exits with its
 * status (128 when the set-up failed) and the kernel ends everything the
 * program left behind. Arguments: work dir, hostname, argv.
 */
export function sandboxScript(mounts: SandboxMounts): string {
  const sysMount = mountSyscall();
  if (sysMount === undefined) throw new Error(`no mount(2) number known for ${process.arch}`);
  const setup = { binds: mounts.binds, hidden: mounts.hidden, stage: mounts.stage, etcFiles: mounts.etcFiles, everyMountReadOnly: mounts.user.uid === 0 };
  // Where the privilege system calls are known, the set-up drops the privileges and takes the environment itself:
  // two execs less per pod (setpriv, the environment shim's perl). Elsewhere setpriv and the shim do it.
  const privileges = privilegeSyscalls();
  const program = privileges
    ? sandboxSetupProgram(setup, sysMount, [...dropPrivilegesSteps(mounts.user, privileges), ENV_SHIM])
    : sandboxSetupProgram(setup, sysMount);
  const then = privileges ? [] : [...setprivArgs(mounts.user), ...ENV_SHIM_ARGV];
  return [
    'child=',
    `trap 'kill -TERM $child 2>/dev/null' TERM INT HUP`,
    'work_dir=$1; host_name=$2; shift 2',
    // The pod's environment arrives on fd 3 and reaches only the program, never a root helper.
    // An asynchronous command's stdin is /dev/null, redirections included (dash): the program gets the container's through fd 4.
    'exec 4<&0',
    `${['/usr/bin/perl', '-e', program, '--'].map(quote).join(' ')} "$work_dir" "$host_name" ${then.map(quote).join(' ')}${then.length ? ' ' : ''}"$@" 3<&3 0<&4 4<&- &`,
    'exec 3<&- 4<&-',
    'child=$!',
    'wait $child; code=$?',
    // A trapped signal interrupts wait: wait again until the program has really ended.
    'while kill -0 $child 2>/dev/null; do wait $child; code=$?; done',
    'exit $code',
  ].join('\n');
}

/** pid 1 of the sandbox, from the host's view: the wrapper's grandchild (wrapper → unshare → pid 1). */
export function sandboxInitPid(wrapperPid: number): number | undefined {
  const children = (pid: number): number[] => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  for (const unsharePid of children(wrapperPid)) {
    const init = children(unsharePid)[0];
    if (init) return init;
  }
  return undefined;
}
