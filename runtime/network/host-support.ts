import { NetworkError } from './network-error.js';
import { runCommand } from './run-command.js';

const NEEDS = 'the pod network needs root and iproute2/nftables';

/** Fails early, with the fix, on a machine where the pod network cannot work. */
export async function checkHostSupport(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new NetworkError('UNSUPPORTED_HOST', `${NEEDS}: baton runs as uid ${process.getuid?.() ?? 'unknown'}, not root`);
  }
  for (const [command, args, pkg] of [
    ['ip', ['-V'], 'iproute2'],
    ['nft', ['-v'], 'nftables'],
  ] as const) {
    try {
      await runCommand(command, [...args]);
    } catch (err) {
      throw new NetworkError('UNSUPPORTED_HOST', `${NEEDS}: \`${command}\` does not run (install ${pkg}): ${(err as Error).message}`, {}, { cause: err });
    }
  }
}
