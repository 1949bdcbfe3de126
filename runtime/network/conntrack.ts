import { runCommand } from './run-command.js';

/**
 * Drops the connection tracking entries whose replies come from `ip` (every
 * connection to it, translated or not). Best effort: `conntrack` exits
 * non-zero when there was nothing to delete, and may not be installed, in
 * which case entries simply time out.
 */
export async function forgetConnections(ip: string, protocol?: 'udp' | 'tcp' | 'sctp'): Promise<void> {
  const args = ['-D', '--reply-src', ip, ...(protocol ? ['-p', protocol] : [])];
  await runCommand('conntrack', args).catch(() => undefined);
}
