import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_CAPABILITIES } from './oci/oci-spec.js';
import { ENV_SHIM_ARGV } from './pod-env-handoff.js';

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
  /** An empty host directory of baton's where the pod's /tmp is assembled before it is moved into place. */
  stage: string;
  /**
   * The pod's own hosts, hostname and resolv.conf (a pod on the pod network), bound over the host's.
   * @defaultValue absent: the host's files
   */
  etcFiles?: { hosts: string; hostname: string; resolvConf: string };
}

/**
 * Binds the pod's /etc files over the host's (following a symlink such as
 * systemd's /etc/resolv.conf is harmless: the bind lives only in the pod's
 * mount namespace). A host without /etc/hostname keeps none.
 */
function etcLines(files: NonNullable<SandboxMounts['etcFiles']>): string[] {
  const lines: string[] = [];
  for (const [source, target, required] of [[files.resolvConf, '/etc/resolv.conf', true], [files.hosts, '/etc/hosts', true], [files.hostname, '/etc/hostname', false]] as const) {
    const bind = `mount --bind ${quote(source)} ${target} || fail ${quote(`cannot mount ${target}`)}`;
    if (required) lines.push(`[ -e ${target} ] || fail ${quote(`${target} does not exist on the host: a process pod's own is mounted over it`)}`, bind);
    else lines.push(`if [ -e ${target} ]; then ${bind}; fi`);
  }
  return lines;
}

/**
 * Binds a volume, never following a symlink at the mount point and never
 * letting a device node or setuid file of the volume count. Below the pod's
 * own /tmp (`create`) the mount point is made (a directory by mount itself,
 * `X-mount.mkdir`); elsewhere it must already exist on the host, which a pod
 * may never change. One `mount` binds and applies the flags (libmount
 * remounts the bind itself): each exec of mount costs a pod's start
 * milliseconds of CPU, and mount was most of its sandbox's set-up.
 */
function bindLines(source: string, target: string, readOnly: boolean, at: string, create: boolean): string[] {
  const t = quote(at);
  const why = quote(`cannot mount volume at ${target}`);
  const symlink = `[ -L ${t} ] && fail ${quote(`mount point ${target} is a symlink`)}`;
  const bind = (options: string) => `mount --bind -o ${options}nodev,nosuid${readOnly ? ',ro' : ''} ${quote(source)} ${t} || fail ${why}`;
  if (!create) {
    return [`[ -e ${t} ] || fail ${quote(`mount point ${target} does not exist on the host: a process pod mounts volumes below /tmp or at paths that exist, and makes nothing on the host`)}`, symlink, bind('')];
  }
  return [
    `if [ -d ${quote(source)} ]; then`,
    symlink,
    bind('X-mount.mkdir,'),
    'else',
    `mkdir -p ${quote(dirname(at))} || fail ${why}`,
    symlink,
    `[ -e ${t} ] || : > ${t} || fail ${why}`,
    bind(''),
    'fi',
  ];
}

/**
 * unshare's arguments that make the sandbox: new pid, mount, ipc and uts
 * namespaces, pid 1 forked into them with the pod's own /proc already mounted
 * (nosuid, nodev, noexec: unshare does it, one exec of mount less per pod).
 */
export const SANDBOX_NAMESPACES = ['--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private', '--ipc', '--uts'];

/**
 * The script pid 1 of the pod's new namespaces (SANDBOX_NAMESPACES) runs
 * as root, on the pod's own /proc: give the pod a fresh /tmp (volumes mounted below
 * /tmp are assembled on it first, so nothing is made in the host's /tmp),
 * bind the other volumes, cover /var/tmp, /dev/shm and baton's state, make
 * the host's root read-only (every mount, for a root pod), then start the
 * program as the pod's user and relay signals to it. When the program ends,
 * pid 1 exits and the kernel ends everything the program left behind.
 * Arguments: work dir, hostname, argv.
 */
export function sandboxScript(mounts: SandboxMounts): string {
  const lines = [
    'child=',
    `trap 'kill -TERM $child 2>/dev/null' TERM INT HUP`,
    'fail() { echo "baton: $1" >&2; exit 128; }',
    'work_dir=$1; host_name=$2; shift 2',
  ];
  // Before the volumes (a volume at one of these paths wins) and before baton's state dir, where the files live, is hidden.
  if (mounts.etcFiles) lines.push(...etcLines(mounts.etcFiles));
  // A volume at /tmp itself is the pod's /tmp; otherwise a fresh tmpfs is.
  const tmpVolume = mounts.binds.find((b) => b.target === '/tmp');
  lines.push(tmpVolume
    ? `mount --bind ${quote(tmpVolume.source)} ${quote(mounts.stage)} || fail 'cannot mount volume at /tmp'`
    : `mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs ${quote(mounts.stage)} || fail 'cannot mount /tmp'`);
  // Every bind happens before the new /tmp is moved into place: the sources may live below the host's /tmp.
  const underTmp = (t: string) => t.startsWith('/tmp/');
  for (const m of mounts.binds.filter((b) => !underTmp(b.target) && b !== tmpVolume)) lines.push(...bindLines(m.source, m.target, m.readOnly, m.target, false));
  for (const m of mounts.binds.filter((b) => underTmp(b.target))) {
    lines.push(...bindLines(m.source, m.target, m.readOnly, `${mounts.stage}${m.target.slice(4)}`, true));
  }
  lines.push(`mount --move ${quote(mounts.stage)} /tmp || fail 'cannot mount /tmp'`);
  lines.push('for d in /var/tmp /dev/shm; do [ -d "$d" ] && { mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$d" || fail "cannot mount $d"; }; done');
  for (const dir of mounts.hidden) lines.push(`[ -d ${quote(dir)} ] && { mount -t tmpfs -o ro,mode=0755,size=4k tmpfs ${quote(dir)} || fail ${quote(`cannot hide ${dir}`)}; }`);
  lines.push("mount -o remount,bind,ro / || fail 'cannot make / read-only'");
  if (mounts.user.uid === 0) {
    // Root could write wherever permissions allow: every other mount goes read-only too, then the volumes as asked.
    lines.push(`awk '$5 != "/" && $5 !~ /^\\/(proc|tmp|var\\/tmp|dev\\/shm)(\\/|$)/ {print $5}' /proc/self/mountinfo | while read -r m; do mount -o remount,bind,ro "$m" 2>/dev/null; done`);
    for (const m of mounts.binds) if (!m.readOnly) lines.push(`mount -o remount,bind,rw ${quote(m.target)} 2>/dev/null`);
  }
  lines.push(
    // The uts namespace's own name, written by the shell itself: no exec of hostname(1).
    `{ printf '%s' "$host_name" > /proc/sys/kernel/hostname; } 2>/dev/null`,
    'if [ -n "$work_dir" ]; then cd "$work_dir" || fail "cannot enter workingDir $work_dir"; else cd /tmp; fi',
    // The pod's environment arrives on fd 3 and reaches only the program, never a root helper.
    // An asynchronous command's stdin is /dev/null, redirections included (dash): the program gets the container's through fd 4.
    'exec 4<&0',
    `${[...setprivArgs(mounts.user), ...ENV_SHIM_ARGV].map(quote).join(' ')} "$@" 3<&3 0<&4 4<&- &`,
    'exec 3<&- 4<&-',
    'child=$!',
    'wait $child; code=$?',
    // A trapped signal interrupts wait: wait again until the program has really ended.
    'while kill -0 $child 2>/dev/null; do wait $child; code=$?; done',
    'exit $code',
  );
  return lines.join('\n');
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
