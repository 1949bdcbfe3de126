import { firewallRuleset, type FirewallPlan } from './firewall-ruleset.js';
import { runCommand } from './run-command.js';

export async function applyFirewall(plan: FirewallPlan): Promise<void> {
  await runCommand('nft', ['-f', '-'], firewallRuleset(plan));
}

export async function deleteFirewall(bridge: string): Promise<void> {
  // Declaring it first makes deleting it no error when the table is already gone.
  await runCommand('nft', ['-f', '-'], `table inet ${bridge} {}\ndelete table inet ${bridge}\ntable bridge ${bridge} {}\ndelete table bridge ${bridge}\n`);
}
