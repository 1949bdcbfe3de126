import { cidrOf, formatCidr, parseCidr } from './ipv4-cidr.js';
import { NetworkError } from './network-error.js';
import { bridgeMac } from './network-names.js';
import { deleteLink, findLink, ipv4Addresses } from './ip-links.js';
import { runCommand } from './run-command.js';

/** What the bridge was found as: the caller undoes only what it made. */
export type BridgeState = 'absent' | 'present';

/**
 * Reads the bridge as a previous run left it. One that carries an address
 * other than `gatewayCidr` belongs to a different pod CIDR: its pods still
 * hold addresses of the old range, so it is refused rather than renumbered.
 */
export async function inspectBridge(bridge: string, gatewayCidr: string, podCidr: string): Promise<BridgeState> {
  const link = await findLink(bridge);
  if (!link) return 'absent';
  const other = ipv4Addresses(link).find((a) => a !== gatewayCidr);
  if (other !== undefined) {
    const parsed = parseCidr(other);
    const previous = parsed ? formatCidr(cidrOf(parsed.address, parsed.prefix)) : other;
    throw new NetworkError(
      'CIDR_CHANGED',
      `--pod-cidr changed from ${previous} to ${podCidr} (bridge ${bridge} has ${other}); ` +
        `start with the previous --pod-cidr, or stop every pod (baton up --stop-pods) and remove the bridge and its table (ip link del ${bridge}; nft delete table inet ${bridge}) to change it`,
      { podCidr, bridge, conflict: other },
    );
  }
  return 'present';
}

/** Creates the bridge with its address, or completes one a crash left half made. */
export async function ensureBridge(bridge: string, gatewayCidr: string): Promise<void> {
  let link = await findLink(bridge);
  if (!link) {
    await runCommand('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
    // A bridge otherwise takes the lowest MAC of its ports, so the pods' gateway MAC would change as pods come and go.
    await runCommand('ip', ['link', 'set', 'dev', bridge, 'address', bridgeMac(bridge)]);
    link = await findLink(bridge);
  }
  if (!link || !ipv4Addresses(link).includes(gatewayCidr)) {
    await runCommand('ip', ['addr', 'replace', gatewayCidr, 'dev', bridge]);
  }
  await runCommand('ip', ['link', 'set', 'dev', bridge, 'up']);
}

export async function deleteBridge(bridge: string): Promise<void> {
  await deleteLink(bridge);
}
