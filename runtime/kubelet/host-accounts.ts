import { readFileSync, statSync } from 'node:fs';
import type { SandboxUser } from './process-sandbox.js';
import { NOBODY } from './process-sandbox.js';

interface AccountFile {
  stamp: string;
  names: Map<number, string>;
}

const files = new Map<string, AccountFile>();

/** Names by numeric id in a passwd(5) or group(5) file (name:x:id:…); read again when the file changes, empty when there is none. */
function namesById(path: string): Map<number, string> {
  let stamp: string;
  try {
    const stat = statSync(path);
    stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return new Map();
  }
  const kept = files.get(path);
  if (kept?.stamp === stamp) return kept.names;
  const names = new Map<number, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id !== undefined && /^\d+$/.test(id) && !names.has(Number(id))) names.set(Number(id), name);
  }
  files.set(path, { stamp, names });
  return names;
}

/**
 * The first host account a process pod's user would act as, worded for a
 * message (`user "alice" (runAsUser: 1000)`), or undefined. A process pod sees
 * the host's root read-only: as a host user it reads that user's files (a
 * home's ~/.kube/config), as a host group it reaches what the group may (the
 * docker socket's group, root's group). `nobody` and `nogroup` (65534) own
 * nothing and are always allowed.
 */
export function hostAccountOf(user: SandboxUser, paths = { passwd: '/etc/passwd', group: '/etc/group' }): string | undefined {
  if (user.uid !== NOBODY) {
    const name = namesById(paths.passwd).get(user.uid);
    if (name !== undefined) return `user "${name}" (runAsUser: ${user.uid})`;
  }
  const groups = namesById(paths.group);
  for (const [field, ids] of [['runAsGroup', [user.gid]], ['supplementalGroups or fsGroup', user.groups]] as const) {
    for (const id of ids) {
      const name = id === NOBODY ? undefined : groups.get(id);
      if (name !== undefined) return `group "${name}" (${field}: ${id})`;
    }
  }
  return undefined;
}
