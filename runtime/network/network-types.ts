import type { ChainGroup } from './nft-chains.js';
import type { ChainOwner } from './table-groups.js';

/**
 * The pod network: a Linux bridge of baton's, one network namespace per pod
 * with a veth to the bridge and an address from the pod CIDR. The whole CIDR
 * routes to the bridge, so no packet for a pod address can leave the machine.
 */

export interface PodNetworkOptions {
  /** Allocations and the network's identity live below this directory. */
  stateDir: string;
  /**
   * Pod address range. Refused (with a clear message) when it overlaps a route
   * the machine already has that is not this network's own bridge.
   * @defaultValue '10.244.0.0/16'
   */
  podCidr?: string;
  /**
   * Ports on the gateway address that pods may open connections to (the
   * runtime's DNS server, say). Everything else on the host is closed to pods.
   * @defaultValue []
   */
  hostPortsOpenToPods?: HostPort[];
  /**
   * Service address range (already chosen, see `chooseServiceCidr`). When
   * set, the network carries Services in the kernel: the range routes to the
   * bridge, pod traffic passes br_netfilter, and the table gets the chains the
   * service proxy and the policy compiler fill (`applyChains`).
   * @defaultValue undefined (no Services in the kernel)
   */
  serviceCidr?: string;
  /**
   * Address NodePorts answer on: `127.0.0.1`, another local address, or `0.0.0.0` for every one.
   * @defaultValue '127.0.0.1'
   */
  nodePortAddress?: string;
}

/** A port of the host, on the bridge's address. */
export interface HostPort {
  protocol: 'tcp' | 'udp';
  port: number;
}

/** A pod's network sandbox. */
export interface PodSandbox {
  /** Path of the pod's network namespace, for `nsenter --net=` and the OCI spec's network namespace `path`. */
  netnsPath: string;
  /** The pod's address (status.podIP). */
  ip: string;
}

export interface PodNetwork {
  /** Name of the Linux bridge. */
  readonly bridge: string;
  /** The bridge's own address: the pods' default gateway and the host's address on the pod network. */
  readonly gateway: string;
  readonly podCidr: string;
  /** Set when the network carries Services in the kernel. */
  readonly serviceCidr?: string;
  /** Replaces the chains (and sets) `owner` keeps in the network's table; only changes are loaded. */
  applyChains(owner: ChainOwner, wanted: ChainGroup): Promise<void>;
  /**
   * Creates the pod's namespace, veth and address, or returns the existing
   * ones (idempotent: a restarted runtime calls it again for live pods).
   */
  setup(podUid: string): Promise<PodSandbox>;
  /** Removes the pod's namespace, veth and address; a no-op when absent. */
  teardown(podUid: string): Promise<void>;
  /** Tears down every sandbox whose pod uid is not in `keep`; returns how many. */
  sweep(keep: Set<string>): Promise<number>;
  /** Stops managing; pods' sandboxes stay up for the next start to re-adopt. */
  close(): Promise<void>;
  /** Removes the bridge, firewall table and every sandbox (tests, and `baton up --stop-pods` once every pod is gone). */
  destroy(): Promise<void>;
}
