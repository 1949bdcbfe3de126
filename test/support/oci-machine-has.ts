import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The Debian package that ships each tool the OCI tests use. */
export const DEBIAN_PACKAGES: Record<string, string> = {
  'docker-registry': 'docker-registry',
  busybox: 'busybox-static',
  skopeo: 'skopeo',
  tar: 'tar',
  setpriv: 'util-linux',
  unshare: 'util-linux',
  nsenter: 'util-linux',
  ip: 'iproute2',
  iptables: 'iptables',
};

/** Returns the tools (names looked up on PATH, or absolute paths) this machine lacks; empty when all are there. */
export function machineHas(tools: string[]): string[] {
  const dirs = (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter).filter(Boolean);
  return tools.filter((tool) => !(isAbsolute(tool) ? [tool] : dirs.map((d) => join(d, tool))).some(isExecutable));
}

/** A message for missing tools that says what to install, e.g. `missing docker-registry (apt-get install docker-registry)`. */
export function missingToolsMessage(missing: string[]): string {
  const packages = [...new Set(missing.map((t) => DEBIAN_PACKAGES[t.split('/').pop() ?? t] ?? t))];
  return `missing ${missing.join(', ')} (apt-get install ${packages.join(' ')})`;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
