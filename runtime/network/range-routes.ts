import { formatCidr, type Ipv4Cidr } from './ipv4-cidr.js';
import { CommandError } from './command-error.js';
import { runCommand } from './run-command.js';

/**
 * Metric of the unreachable route kept under each of the network's ranges.
 * The bridge's own routes (metric 0) win while the bridge exists; when it is
 * gone (a crash, a reboot, `ip link del`) the range is unreachable rather
 * than sent to the default route and out of the machine.
 */
export const FALLBACK_METRIC = 4242;

/** Routes the service range to the bridge, and puts an unreachable route under the pod and service ranges. */
export async function ensureRangeRoutes(bridge: string, podCidr: Ipv4Cidr, serviceCidr?: Ipv4Cidr): Promise<void> {
  const lines = [`route replace unreachable ${formatCidr(podCidr)} metric ${FALLBACK_METRIC}`];
  if (serviceCidr) {
    lines.push(`route replace ${formatCidr(serviceCidr)} dev ${bridge}`, `route replace unreachable ${formatCidr(serviceCidr)} metric ${FALLBACK_METRIC}`);
  }
  await runCommand('ip', ['-batch', '-'], `${lines.join('\n')}\n`);
}

/** Removes what `ensureRangeRoutes` added; routes already gone are fine. */
export async function removeRangeRoutes(bridge: string, podCidr: Ipv4Cidr, serviceCidr?: Ipv4Cidr): Promise<void> {
  const routes = [['unreachable', formatCidr(podCidr), 'metric', String(FALLBACK_METRIC)]];
  if (serviceCidr) routes.push([formatCidr(serviceCidr), 'dev', bridge], ['unreachable', formatCidr(serviceCidr), 'metric', String(FALLBACK_METRIC)]);
  for (const route of routes) {
    try {
      await runCommand('ip', ['route', 'del', ...route]);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
    }
  }
}
