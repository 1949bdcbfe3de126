import { deleteLink, findLink, ipv4Addresses, listNetns, netnsUsable } from './ip-links.js';
import { existsSync } from 'node:fs';
import { CommandError } from './command-error.js';
import { runCommand } from './run-command.js';
import { addPortSourceLines, addPortSources, podMac, removePortSources } from './port-sources.js';

/** What a sandbox needs to know of its network. */
export interface SandboxPlan {
  bridge: string;
  netns: string;
  hostVeth: string;
  /** The pod's address with the CIDR's prefix, e.g. `10.244.3.7/16`. */
  addressCidr: string;
  gateway: string;
}

export const NETNS_DIR = '/run/netns';

/**
 * Brings the pod's namespace to the wanted state from whatever is there:
 * nothing, a complete sandbox from an earlier run, or the remains of a crash
 * between any two steps. Every step checks before it changes, so a live pod
 * re-adopted after a restart keeps its connections.
 */
export async function ensureSandbox(plan: SandboxPlan): Promise<void> {
  const { bridge, netns, hostVeth } = plan;
  // A new pod (no namespace file yet) is made by one job of two `ip -batch` instead of a dozen checked steps:
  // a burst of new pods waits on the programs it runs.
  if (!netnsExists(netns) && (await makeFresh(plan))) return;
  if (!(await netnsUsable(netns))) {
    if (netnsExists(netns)) await runCommand('ip', ['netns', 'del', netns]);
    await runCommand('ip', ['netns', 'add', netns]);
  }

  let podEnd = await findLink('eth0', netns);
  let hostEnd = await findLink(hostVeth);
  const netnsId = (await listNetns()).find((n) => n.name === netns)?.id;
  // One end alone, or a host end whose peer is in another namespace, is the remains of a crash: start the pair afresh.
  if (!podEnd || !hostEnd || hostEnd.link_netnsid === undefined || hostEnd.link_netnsid !== netnsId) {
    if (podEnd) await deleteLink('eth0', netns);
    if (hostEnd) await deleteLink(hostVeth);
    await runCommand('ip', ['link', 'add', 'name', hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    podEnd = await findLink('eth0', netns);
    hostEnd = await findLink(hostVeth);
  }

  // The port is checked against the pod's own addresses before the pod's end is up (port-sources.ts).
  const ip = plan.addressCidr.split('/')[0]!;
  const mac = podMac(ip);
  if (podEnd?.address !== mac) await runCommand('ip', ['-n', netns, 'link', 'set', 'dev', 'eth0', 'address', mac]);
  await addPortSources(bridge, hostVeth, mac, ip);

  if (hostEnd?.master !== bridge || !hostEnd.flags.includes('UP')) {
    await runCommand('ip', ['link', 'set', 'dev', hostVeth, 'master', bridge, 'up']);
  }
  await runCommand('ip', ['link', 'set', 'dev', hostVeth, 'type', 'bridge_slave', 'hairpin', 'on']);
  const lo = await findLink('lo', netns);
  if (!lo?.flags.includes('UP')) await runCommand('ip', ['-n', netns, 'link', 'set', 'dev', 'lo', 'up']);
  if (!podEnd?.flags.includes('UP')) await runCommand('ip', ['-n', netns, 'link', 'set', 'dev', 'eth0', 'up']);

  const addresses = podEnd ? ipv4Addresses(podEnd) : [];
  for (const stale of addresses.filter((a) => a !== plan.addressCidr)) {
    await runCommand('ip', ['-n', netns, 'addr', 'del', stale, 'dev', 'eth0']);
  }
  if (!addresses.includes(plan.addressCidr)) {
    await runCommand('ip', ['-n', netns, 'addr', 'add', plan.addressCidr, 'dev', 'eth0']);
  }
  // `replace` leaves an identical route alone and fixes a wrong one.
  await runCommand('ip', ['-n', netns, 'route', 'replace', 'default', 'via', plan.gateway, 'dev', 'eth0']);
}

/** The whole sandbox of a new pod; false (with the remains left for the checked path to repair) when any step fails. */
async function makeFresh(plan: SandboxPlan): Promise<boolean> {
  const { bridge, netns, hostVeth } = plan;
  const ip = plan.addressCidr.split('/')[0]!;
  const mac = podMac(ip);
  const host = [
    `netns add ${netns}`,
    `link add name ${hostVeth} type veth peer name eth0 address ${mac} netns ${netns}`,
    `link set dev ${hostVeth} master ${bridge} up`,
    // Hairpin: a pod reaching itself through a Service's address gets its packets back out of its own port.
    `link set dev ${hostVeth} type bridge_slave hairpin on`,
  ];
  const inside = ['link set dev lo up', 'link set dev eth0 up', `addr add ${plan.addressCidr} dev eth0`, `route replace default via ${plan.gateway} dev eth0`];
  try {
    // Two `ip -batch` (the namespace's own part needs `-n`, which a batch line cannot take) under one shell:
    // one launcher job per new pod, not two, so a burst of pods waits for half as many of its slots.
    // The port is checked (port-sources.ts) before the pod's end comes up, inside.
    const sources = addPortSourceLines(bridge, hostVeth, mac, ip);
    await runCommand('/bin/sh', [
      '-c',
      `set -e\nip -batch - <<'HOST'\n${host.join('\n')}\nHOST\nnft -f - <<'NFT'\n${sources.join('\n')}\nNFT\nip -n "$1" -batch - <<'INSIDE'\n${inside.join('\n')}\nINSIDE\n`,
      'sh',
      netns,
    ]);
    return true;
  } catch (err) {
    if (err instanceof CommandError) return false;
    throw err;
  }
}

/** `ip netns list` lists the files of /run/netns: a look there costs no program (a teardown of 200 pods ran 200 of them). */
function netnsExists(netns: string): boolean {
  return existsSync(`${NETNS_DIR}/${netns}`);
}

/**
 * Removes the namespace and the host end of its veth, and with `port` the
 * port's anti-spoofing entries. The kernel frees a namespace asynchronously
 * (or never, while a process still holds it), so the veth is deleted
 * explicitly rather than left to go with it.
 */
export async function removeSandbox(netns: string, hostVeth?: string, port?: { bridge: string; ip: string }): Promise<void> {
  if (netnsExists(netns)) await runCommand('ip', ['netns', 'del', netns]);
  if (hostVeth !== undefined) await deleteLink(hostVeth);
  if (hostVeth !== undefined && port !== undefined) await removePortSources(port.bridge, hostVeth, podMac(port.ip), port.ip);
}
