import { CommandError } from './command-error.js';
import { ipJson, runCommand } from './run-command.js';

/** The fields of `ip -j addr show` / `ip -j link show` this folder reads. */
export interface IpLink {
  ifname: string;
  flags: string[];
  /** Its MAC address. */
  address?: string;
  master?: string;
  /** For a veth: the id (`ip netns list` shows it) of the namespace its peer lives in, when not this one. */
  link_netnsid?: number;
  operstate?: string;
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
}

/** The link named `name` (in `netns` when given), or undefined when it does not exist. */
export async function findLink(name: string, netns?: string): Promise<IpLink | undefined> {
  const scope = netns === undefined ? [] : ['-n', netns];
  try {
    const [link] = await ipJson<IpLink>([...scope, 'addr', 'show', 'dev', name]);
    return link;
  } catch (err) {
    if (err instanceof CommandError && /does not exist/.test(err.data.stderr)) return undefined;
    throw err;
  }
}

/** IPv4 addresses of a link as `a.b.c.d/n`. */
export function ipv4Addresses(link: IpLink): string[] {
  return (link.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
}

export interface NamedNetns {
  name: string;
  /** The id the host knows it by; set once a link of the host has its peer inside. */
  id?: number;
}

/** The network namespaces in /run/netns. */
export async function listNetns(): Promise<NamedNetns[]> {
  return ipJson<NamedNetns>(['netns', 'list']);
}

/** Whether the namespace exists and can be entered: a crash inside `ip netns add` can leave a bare file. */
export async function netnsUsable(name: string): Promise<boolean> {
  try {
    await ipJson(['-n', name, 'link', 'show', 'dev', 'lo']);
    return true;
  } catch (err) {
    if (err instanceof CommandError) return false;
    throw err;
  }
}

/**
 * Deletes a link (in `netns` when given); no error when it is already gone, as a
 * host veth is when the kernel's asynchronous namespace cleanup got there first.
 */
export async function deleteLink(name: string, netns?: string): Promise<void> {
  const scope = netns === undefined ? [] : ['-n', netns];
  try {
    await runCommand('ip', [...scope, 'link', 'del', 'dev', name]);
  } catch (err) {
    // `Cannot find device` when it was gone before ip looked it up; `No such device` (RTNETLINK) when it went in between.
    if (err instanceof CommandError && /Cannot find device|does not exist|No such device/.test(err.data.stderr)) return;
    throw err;
  }
}

/** The veths attached to `bridge`; none when the bridge is gone. */
export async function bridgeVeths(bridge: string): Promise<IpLink[]> {
  try {
    return await ipJson<IpLink>(['link', 'show', 'master', bridge, 'type', 'veth']);
  } catch (err) {
    if (err instanceof CommandError && /does not exist/.test(err.data.stderr)) return [];
    throw err;
  }
}
