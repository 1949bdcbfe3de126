import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A Debian package `baton up` uses, and how to tell it is there. */
export interface SystemPackage {
  /** The Debian package (`apt-get install` name). */
  name: string;
  /** Present when any of these programs is on PATH (or in the sbin directories). */
  commands?: readonly string[];
  /** …or when any of these files exists. */
  files?: readonly string[];
  /** What baton uses it for, printed by `baton setup`. */
  why: string;
}

/**
 * Everything `baton up` needs from the machine, in Debian 12's names. The
 * Dockerfile installs the same list (test/cli/setup.test.ts compares them);
 * TEST_PACKAGES adds what only the tests use (`baton setup --tests`).
 */
export const SYSTEM_PACKAGES: readonly SystemPackage[] = [
  { name: 'redis-server', commands: ['redis-server'], why: "baton's private Redis (unless REDIS_URL is set)" },
  { name: 'git', commands: ['git'], why: 'Git repositories on the command line next to baton' },
  { name: 'ca-certificates', files: ['/etc/ssl/certs/ca-certificates.crt'], why: 'TLS to Git remotes and image registries' },
  { name: 'util-linux', commands: ['unshare'], why: 'namespaces for every pod (unshare, nsenter, setpriv)' },
  { name: 'busybox-static', commands: ['busybox'], files: ['/bin/busybox'], why: 'a static shell and tools for host-program pods' },
  { name: 'runc', commands: ['runc'], why: 'runs image pods' },
  { name: 'iproute2', commands: ['ip'], why: "baton's bridge and the pods' network namespaces" },
  { name: 'nftables', commands: ['nft'], why: 'Services and NetworkPolicy in the kernel' },
  { name: 'conntrack', commands: ['conntrack'], why: 'forgetting connections to gone endpoints' },
  { name: 'kmod', commands: ['modprobe'], why: 'loading br_netfilter for Services on the bridge' },
];

/** What only `npm test` adds (.ci/run installs the same): the tests' image registry, image copier, browser and kubectl. */
export const TEST_PACKAGES: readonly SystemPackage[] = [
  { name: 'docker-registry', commands: ['docker-registry'], why: 'the OCI registry the image tests pull from' },
  { name: 'skopeo', commands: ['skopeo'], why: 'copies test images into that registry' },
  { name: 'chromium', commands: ['chromium'], why: "the dashboard's browser tests (playwright-core)" },
  // Debian's kubectl only where none is on PATH: it clashes with google-cloud-cli's.
  { name: 'kubernetes-client', commands: ['kubectl'], why: 'kubectl against the runtime' },
];

/** Where programs are looked for: PATH, plus the sbin directories a non-login root shell may lack (runc, ip and nft live there). */
export function searchPath(env: NodeJS.ProcessEnv): string[] {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const sbin of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!dirs.includes(sbin)) dirs.push(sbin);
  return dirs;
}

export function isPresent(pkg: SystemPackage, env: NodeJS.ProcessEnv): boolean {
  const dirs = searchPath(env);
  return (pkg.commands ?? []).some((cmd) => dirs.some((dir) => canRun(join(dir, cmd)))) || (pkg.files ?? []).some(exists);
}

/** The packages of `packages` not found on this machine. */
export function missingPackages(env: NodeJS.ProcessEnv, packages: readonly SystemPackage[] = SYSTEM_PACKAGES): SystemPackage[] {
  return packages.filter((pkg) => !isPresent(pkg, env));
}

/** The one command that installs `names`, as a person types it (with `sudo` when not root). */
export function installCommand(names: readonly string[], asRoot: boolean): string {
  const sudo = asRoot ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${names.join(' ')}`;
}

function canRun(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    accessSync(path);
    return true;
  } catch {
    return false;
  }
}
