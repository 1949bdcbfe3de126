import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/**
 * Names of the kernel objects of one network. A network is identified by its
 * state dir, so two runtimes on one machine (parallel tests) never share a
 * bridge, and a restarted one finds its own again. Interface names must fit
 * IFNAMSIZ (15 characters).
 */
export interface NetworkNames {
  bridge: string;
  /** Every pod namespace of this network starts with this. */
  netnsPrefix: string;
  netns(podUid: string): string;
  hostVeth(podUid: string): string;
}

/** Host-side veths of every network start with this; which bridge they are attached to tells whose they are. */
export const HOST_VETH_PREFIX = 'bv';

function hex(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

export function networkNames(stateDir: string): NetworkNames {
  const dir = resolve(stateDir);
  const bridge = `bt${hex(dir, 8)}`;
  return {
    bridge,
    netnsPrefix: `${bridge}-`,
    netns: (podUid) => `${bridge}-${hex(podUid, 12)}`,
    // The state dir is part of the hash so one pod uid in two networks gets two veths.
    hostVeth: (podUid) => `${HOST_VETH_PREFIX}${hex(dir + podUid, 12)}`,
  };
}

/** A stable, locally administered unicast MAC for the bridge. */
export function bridgeMac(bridge: string): string {
  const bytes = hex(bridge, 10).match(/../g) as string[];
  return ['02', ...bytes].join(':');
}
