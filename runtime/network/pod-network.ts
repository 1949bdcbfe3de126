import { join, resolve } from 'node:path';
import { AddressAllocator } from './address-allocator.js';
import { deleteBridge, ensureBridge, inspectBridge } from './bridge.js';
import { enableBridgeNetfilter } from './bridge-netfilter.js';
import { applyFirewall, deleteFirewall } from './firewall.js';
import { parseServiceCidr } from './service-cidr.js';
import { ensureRangeRoutes, removeRangeRoutes } from './range-routes.js';
import { TableGroups } from './table-groups.js';
import { forgetConnections } from './conntrack.js';
import { checkHostPorts } from './host-ports.js';
import { checkHostSupport } from './host-support.js';
import { bridgeVeths, deleteLink, listNetns } from './ip-links.js';
import { formatCidr, gatewayOf, intToIp } from './ipv4-cidr.js';
import { DEFAULT_POD_CIDR, parsePodCidr } from './pod-cidr.js';
import { KeyedQueue } from './keyed-queue.js';
import { HOST_VETH_PREFIX, networkNames } from './network-names.js';
import type { PodNetwork, PodNetworkOptions, PodSandbox } from './network-types.js';
import { ensureSandbox, NETNS_DIR, removeSandbox } from './pod-sandbox.js';
import { forgetPortsExcept } from './port-sources.js';
import { checkNoOverlap, verifyRoutedToBridge } from './route-check.js';

/**
 * Starts (or re-adopts) the pod network of `options.stateDir`: firewall table
 * first, so the bridge is never up unguarded, then the bridge, then the
 * routing check. Refuses to start rather than risk pod packets leaving the machine.
 */
export async function startPodNetwork(options: PodNetworkOptions): Promise<PodNetwork> {
  await checkHostSupport();
  const cidr = parsePodCidr(options.podCidr ?? DEFAULT_POD_CIDR);
  const podCidr = formatCidr(cidr);
  const openPorts = checkHostPorts(options.hostPortsOpenToPods ?? []);
  const names = networkNames(options.stateDir);
  const { bridge } = names;
  const gateway = intToIp(gatewayOf(cidr));
  const gatewayCidr = `${gateway}/${cidr.prefix}`;

  const serviceRange = options.serviceCidr === undefined ? undefined : parseServiceCidr(options.serviceCidr, cidr);
  const serviceCidr = serviceRange && formatCidr(serviceRange);
  const nodePortAddress = options.nodePortAddress ?? '127.0.0.1';

  const found = await inspectBridge(bridge, gatewayCidr, podCidr);
  await checkNoOverlap(cidr, bridge);
  if (serviceRange) await checkNoOverlap(serviceRange, bridge);
  try {
    await applyFirewall({ bridge, gateway, openPorts, serviceCidr, nodePortAddress });
    await ensureBridge(bridge, gatewayCidr);
    if (serviceRange) await enableBridgeNetfilter(bridge);
    await ensureRangeRoutes(bridge, cidr, serviceRange);
    await verifyRoutedToBridge(cidr, bridge);
    if (serviceRange) await verifyRoutedToBridge(serviceRange, bridge);
  } catch (err) {
    // Undo only what this start made: an adopted bridge may still carry live pods.
    if (found === 'absent') {
      await deleteBridge(bridge).catch(() => undefined);
      await deleteFirewall(bridge).catch(() => undefined);
      await removeRangeRoutes(bridge, cidr, serviceRange).catch(() => undefined);
    }
    throw err;
  }

  const allocations = await AddressAllocator.open(join(resolve(options.stateDir), 'network', 'allocations.json'), cidr);
  const queue = new KeyedQueue();
  const groups = new TableGroups(bridge);
  let stopped: 'closed' | 'destroyed' | undefined;
  const checkOpen = () => {
    if (stopped) throw new Error(`the pod network on ${bridge} is ${stopped}`);
  };

  const teardownNow = async (uid: string) => {
    const ip = allocations.get(uid);
    await removeSandbox(names.netns(uid), names.hostVeth(uid), ip ? { bridge, ip } : undefined);
    // Connections to the gone address would otherwise stay translated to it until they time out.
    if (ip && serviceRange) await forgetConnections(ip);
    await allocations.release(uid);
  };

  const sweep = async (keep: Set<string>): Promise<number> => {
    // A pod being set up or torn down right now is its caller's business, not an orphan.
    const kept = new Set([...keep, ...queue.busyKeys()]);
    const keptNetns = new Set([...kept].map(names.netns));
    const keptVeths = new Set([...kept].map(names.hostVeth));
    const removed = new Set<string>();
    const removedIds = new Set<number>();

    const namespaces = await listNetns();
    for (const uid of allocations.uids()) {
      if (kept.has(uid)) continue;
      await queue.run(uid, () => teardownNow(uid));
      removed.add(names.netns(uid));
    }
    for (const { name, id } of namespaces) {
      if (!name.startsWith(names.netnsPrefix) || keptNetns.has(name)) continue;
      if (!removed.has(name)) await removeSandbox(name);
      removed.add(name);
      if (id !== undefined) removedIds.add(id);
    }
    // Read after the namespaces went: a host end whose namespace was just removed is the same pod, not another one.
    // Ports whose anti-spoofing entries stay: those left on the bridge, and those of pods being set up (attached only after their entries exist).
    const ports = new Set(keptVeths);
    for (const link of await bridgeVeths(bridge)) {
      if (!link.ifname.startsWith(HOST_VETH_PREFIX) || keptVeths.has(link.ifname)) {
        ports.add(link.ifname);
        continue;
      }
      await deleteLink(link.ifname);
      if (link.link_netnsid === undefined || !removedIds.has(link.link_netnsid)) removed.add(link.ifname);
    }
    await forgetPortsExcept(bridge, ports);
    return removed.size;
  };

  return {
    bridge,
    gateway,
    podCidr,
    serviceCidr,

    async applyChains(owner, wanted) {
      checkOpen();
      await groups.apply(owner, wanted);
    },

    async setup(podUid: string): Promise<PodSandbox> {
      checkOpen();
      return queue.run(podUid, async () => {
        const ip = await allocations.allocate(podUid);
        const netns = names.netns(podUid);
        await ensureSandbox({ bridge, netns, hostVeth: names.hostVeth(podUid), addressCidr: `${ip}/${cidr.prefix}`, gateway });
        return { netnsPath: `${NETNS_DIR}/${netns}`, ip };
      });
    },

    async teardown(podUid: string): Promise<void> {
      checkOpen();
      return queue.run(podUid, () => teardownNow(podUid));
    },

    async sweep(keep: Set<string>) {
      checkOpen();
      return sweep(keep);
    },

    async close() {
      stopped ??= 'closed';
      await queue.idle();
      await allocations.flush();
    },

    async destroy() {
      // Allowed after close: tests and --stop-pods tear down a network they stopped.
      stopped = 'destroyed';
      await queue.idle();
      await sweep(new Set());
      await deleteFirewall(bridge);
      await deleteBridge(bridge);
      await removeRangeRoutes(bridge, cidr, serviceRange);
      await allocations.remove();
    },
  };
}
