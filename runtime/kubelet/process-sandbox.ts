import { readFileSync } from 'node:fs';
import { DEFAULT_CAPABILITIES } from './oci/oci-spec.js';
import { dropPrivilegesStep } from './sandbox-privileges.js';
import { sandboxSetupProgram } from './sandbox-setup.js';
import { INIT_TITLE, WRAPPER_TITLE } from './sandbox-zygote-program.js';

/** Who a sandboxed host program runs as. */
export interface SandboxUser {
  uid: number;
  gid: number;
  groups: number[];
}

/** `nobody`: what a host-program pod runs as unless its securityContext says otherwise. */
export const NOBODY = 65534;

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
 * The set-up program the sandbox zygote runs in the program's own process,
 * as root in the pod's new namespaces (sandbox-zygote-program.ts): volumes,
 * /tmp, baton's state hidden, the host's root read-only
 * (sandboxSetupProgram), then the privileges dropped to the pod's user and
 * the environment taken from fd 3, and the exec of the program. Its
 * arguments: work dir, hostname, argv. A failure exits 128 (127 when the
 * privileges cannot be dropped or the program cannot run).
 */
export function sandboxProgram(mounts: SandboxMounts): string {
  const setup = { binds: mounts.binds, hidden: mounts.hidden, stage: mounts.stage, etcFiles: mounts.etcFiles, everyMountReadOnly: mounts.user.uid === 0 };
  return sandboxSetupProgram(setup, [dropPrivilegesStep(mounts.user), 'take_environment_and_exec();']);
}

/** The children of `pid`, [] when it is gone. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The command line of `pid` as one string (NUL-separated arguments), '' when it is gone or a zombie. */
export function titleOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '');
  } catch {
    return '';
  }
}

/**
 * pid 1 of the sandbox, from the host's view, once it is ready to be entered: the zygote's pid 1 (titled
 * INIT_TITLE once in the pod's namespaces) whose program has exec'd, so its set-up (baton's state hidden, the
 * host's root read-only) is done; or the grandchild (wrapper → unshare → pid 1) for a container an earlier
 * version's shell chain started. Undefined until then.
 */
export function sandboxInitPid(wrapperPid: number): number | undefined {
  for (const child of childrenOf(wrapperPid)) {
    const title = titleOf(child);
    if (title === INIT_TITLE) return childrenOf(child).some((program) => ![INIT_TITLE, ''].includes(titleOf(program))) ? child : undefined;
    // Forked moments ago, not yet in the pod's namespaces.
    if (title.startsWith(`${WRAPPER_TITLE} `)) return undefined;
    const init = childrenOf(child)[0];
    if (init) return init;
  }
  return undefined;
}
