import { firewallRuleset } from './firewall-ruleset.js';
import type { HostPort } from './network-types.js';
import { runCommand } from './run-command.js';

export async function applyFirewall(bridge: string, gateway: string, openPorts: HostPort[]): Promise<void> {
  await runCommand('nft', ['-f', '-'], firewallRuleset(bridge, gateway, openPorts));
}

export async function deleteFirewall(bridge: string): Promise<void> {
  // Same declare-then-delete trick: no error when the table is already gone.
  await runCommand('nft', ['-f', '-'], `table inet ${bridge} {}\ndelete table inet ${bridge}\n`);
}
