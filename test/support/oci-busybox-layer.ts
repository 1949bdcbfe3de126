import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { TarEntry } from './oci-tar.js';

/** Where Debian's busybox-static puts its static binary. */
export const BUSYBOX = '/bin/busybox';

/** Applets tests rely on; building fails early, naming them, if this busybox lacks any. */
export const REQUIRED_APPLETS = [
  'sh', 'ash', 'httpd', 'wget', 'sleep', 'cat', 'echo', 'ls', 'id', 'ps', 'kill', 'env', 'pwd', 'mkdir', 'nc', 'hostname',
  'head', 'dd', 'grep', 'sed', 'tail', 'true', 'false', 'touch', 'rm', 'timeout', 'whoami', 'mount', 'ip', 'ifconfig',
  'nslookup', 'printf', 'test', 'stat', 'find', 'seq', 'tr', 'wc', 'df', 'free', 'top', 'chmod',
];

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'app:x:1000:1000:app:/home/app:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
  '',
].join('\n');

const GROUP = ['root:x:0:', 'app:x:1000:', 'nobody:x:65534:', ''].join('\n');

let cached: TarEntry[] | undefined;

/**
 * Entries of the base layer: a static busybox with one relative symlink per
 * applet (relative so they also resolve when the layer is unpacked outside a
 * chroot), the usual top-level directories and users root, app and nobody.
 */
export function busyboxBaseEntries(): TarEntry[] {
  if (cached) return cached;
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: apt-get install busybox-static`);
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .map((a) => a.trim())
    .filter((a) => a && a !== 'busybox' && !a.includes('/'));
  const missing = REQUIRED_APPLETS.filter((a) => !applets.includes(a));
  if (missing.length > 0) throw new Error(`${BUSYBOX} lacks applets ${missing.join(', ')}: install Debian's busybox-static`);

  const dirs: TarEntry[] = [
    { type: 'dir', path: 'bin' },
    { type: 'dir', path: 'dev' },
    { type: 'dir', path: 'etc' },
    { type: 'dir', path: 'home' },
    { type: 'dir', path: 'home/app', mode: 0o755, uid: 1000, gid: 1000 },
    { type: 'dir', path: 'proc', mode: 0o555 },
    { type: 'dir', path: 'root', mode: 0o700 },
    { type: 'dir', path: 'sys', mode: 0o555 },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'dir', path: 'usr' },
    { type: 'dir', path: 'usr/bin' },
    { type: 'dir', path: 'var' },
  ];
  cached = [
    ...dirs,
    { type: 'file', path: 'bin/busybox', content: readFileSync(BUSYBOX), mode: 0o755 },
    ...applets.map((a): TarEntry => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' })),
    { type: 'symlink', path: 'usr/bin/env', target: '../../bin/busybox' },
    { type: 'file', path: 'etc/passwd', content: Buffer.from(PASSWD) },
    { type: 'file', path: 'etc/group', content: Buffer.from(GROUP) },
  ];
  return cached;
}
