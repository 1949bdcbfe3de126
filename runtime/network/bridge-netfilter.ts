import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { NetworkError } from './network-error.js';
import { runCommand } from './run-command.js';

const BRIDGE_SYSCTLS = '/proc/sys/net/bridge';

/**
 * Makes the bridge's pod-to-pod traffic pass the IP hooks (br_netfilter), so
 * conntrack sees both halves of a Service connection and policies see every
 * packet, and lets the host route for it: forwarding on the bridge alone (a
 * DNAT'd packet goes back out the interface it came in on), and route_localnet
 * so a node port on 127.0.0.1 can be translated to a pod. The machine's own
 * `ip_forward` and other bridges are left as they were.
 */
export async function enableBridgeNetfilter(bridge: string): Promise<void> {
  if (!existsSync(BRIDGE_SYSCTLS)) {
    await runCommand('modprobe', ['br_netfilter']).catch(() => undefined);
    if (!existsSync(BRIDGE_SYSCTLS)) {
      throw new NetworkError('UNSUPPORTED_HOST', 'Services in the kernel need the br_netfilter module, which does not load here (modprobe br_netfilter)', { bridge });
    }
    // Loading it turns bridge netfilter on for every bridge of the machine; turn that off again and ask for it on ours only.
    for (const name of ['bridge-nf-call-iptables', 'bridge-nf-call-ip6tables', 'bridge-nf-call-arptables']) {
      await writeFile(`${BRIDGE_SYSCTLS}/${name}`, '0\n').catch(() => undefined);
    }
  }
  await runCommand('ip', ['link', 'set', 'dev', bridge, 'type', 'bridge', 'nf_call_iptables', '1']);
  for (const [name, value] of [
    ['forwarding', '1'],
    ['route_localnet', '1'],
    ['send_redirects', '0'],
  ]) {
    await writeFile(`/proc/sys/net/ipv4/conf/${bridge}/${name}`, `${value}\n`);
  }
}
