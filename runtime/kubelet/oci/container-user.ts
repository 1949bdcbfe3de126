import { ContainerConfigError } from '../container-env.js';

export interface ContainerUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

/** The security settings that decide who a container runs as: the container's over the pod's. */
export interface UserSettings {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  supplementalGroups?: number[];
  fsGroup?: number;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

function parseTable(text: string | undefined): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && /^\d+$/.test(f[2])) out.push({ name: f[0], uid: Number(f[2]), gid: Number(f[3] ?? f[2]) });
  }
  return out;
}

/**
 * Resolves the image's `User` (`uid`, `uid:gid`, `name`, `name:group`) with
 * the image's /etc/passwd and /etc/group, then applies `runAsUser`,
 * `runAsGroup` and `runAsNonRoot` as the kubelet does. A user name the image
 * does not know is a CreateContainerConfigError, like containerd's
 * "no users found".
 */
export function resolveUser(imageUser: string, settings: UserSettings, passwd: string | undefined, group: string | undefined, who: string): ContainerUser {
  const users = parseTable(passwd);
  const groups = parseTable(group).map((g) => ({ name: g.name, gid: g.uid }));
  const [userPart, groupPart] = imageUser ? imageUser.split(':') : ['', undefined];
  let uid = 0;
  let gid: number | undefined;
  let named = false;
  if (userPart) {
    if (/^\d+$/.test(userPart)) {
      uid = Number(userPart);
    } else {
      const entry = users.find((u) => u.name === userPart);
      if (!entry) throw new ContainerConfigError(`unable to find user ${userPart}: no matching entries in passwd file`);
      uid = entry.uid;
      gid = entry.gid;
      named = true;
    }
  }
  if (groupPart) {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const entry = groups.find((g) => g.name === groupPart);
      if (!entry) throw new ContainerConfigError(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = entry.gid;
    }
  }
  if (settings.runAsNonRoot && named && settings.runAsUser === undefined) {
    throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${userPart}), cannot verify user is non-root (${who})`);
  }
  if (settings.runAsUser !== undefined) {
    uid = settings.runAsUser;
    if (!groupPart || named) gid = undefined;
  }
  if (settings.runAsGroup !== undefined) gid = settings.runAsGroup;
  gid ??= users.find((u) => u.uid === uid)?.gid ?? 0;
  if (settings.runAsNonRoot && uid === 0) {
    throw new ContainerConfigError(`container has runAsNonRoot and image will run as root (${who})`);
  }
  const additionalGids = [...new Set([...(settings.supplementalGroups ?? []), ...(settings.fsGroup !== undefined ? [settings.fsGroup] : [])])].filter((g) => g !== gid);
  return { uid, gid, additionalGids };
}
