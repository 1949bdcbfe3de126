import { spawnSync } from 'node:child_process';

const probed = new Map<string, string[] | undefined>();

/**
 * `[busybox, applet]` when a busybox here runs `applet probeArgs…` successfully
 * (probed once per applet, on the first ask), else undefined: the caller falls
 * back to util-linux's command. busybox-static is statically linked, so an
 * applet starts without the dynamic loader and util-linux's libraries.
 */
export function busyboxApplet(applet: string, probeArgs: readonly string[]): string[] | undefined {
  if (!probed.has(applet)) {
    const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((path) => spawnSync(path, [applet, ...probeArgs], { stdio: 'ignore', timeout: 5000 }).status === 0);
    probed.set(applet, busybox ? [busybox, applet] : undefined);
  }
  return probed.get(applet);
}
