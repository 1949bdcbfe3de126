import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `$0` of every oci container wrapper (`sh -c … baton-oci <exitPath> runc … <id>`). */
export const OCI_WRAPPER_NAME = 'baton-oci';

/** Live oci wrappers of the runc state dir `root` (other runtimes on the machine have their own), with the container id each runs. */
export function ociWrappers(root: string): Array<{ pid: number; id: string }> {
  const found: Array<{ pid: number; id: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
    } catch {
      continue;
    }
    const ours = argv[argv.indexOf('--root') + 1] === root;
    if ((argv[0] === 'sh' || argv[0] === '/bin/sh') && argv[1] === '-c' && argv[3] === OCI_WRAPPER_NAME && ours) found.push({ pid: Number(entry), id: argv[argv.length - 1] });
  }
  return found;
}

/** Container bundles (`<pod>/<container>/run-*`) below `podsDir` that no known container uses. */
export function strayBundles(podsDir: string, keep: Set<string>): string[] {
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(dir, d.name));
    } catch {
      return [];
    }
  };
  return list(podsDir).flatMap(list).flatMap((c) => list(c).filter((b) => /\/run-[0-9a-f]{6}$/.test(b) && !keep.has(b)));
}

/** The container id a bundle was made for, from its config's cgroup path (`/baton/<id>`). */
export function bundleContainerId(bundle: string): string | undefined {
  try {
    const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as { linux?: { cgroupsPath?: string } };
    return config.linux?.cgroupsPath?.split('/').pop();
  } catch {
    return undefined;
  }
}
