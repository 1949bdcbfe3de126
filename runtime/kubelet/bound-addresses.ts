import { readFileSync } from 'node:fs';

/**
 * The local IPv4 addresses with a TCP or UDP socket bound to them right now,
 * from /proc/net/{tcp,udp} (this network namespace). Another runtime on the
 * machine (or any program) may be using a 127.1.x.y address: a pod given it
 * would fail to listen.
 */
export function boundAddresses(files: readonly string[] = ['/proc/net/tcp', '/proc/net/udp']): Set<string> {
  const found = new Set<string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const ip = local ? procAddress(local) : undefined;
      if (ip) found.add(ip);
    }
  }
  return found;
}

/** `0201017F:1F90` (the kernel's little-endian hex) → `127.1.1.2`. */
export function procAddress(field: string): string | undefined {
  const m = /^([0-9A-Fa-f]{8}):[0-9A-Fa-f]{4}$/.exec(field);
  if (!m) return undefined;
  const n = Number.parseInt(m[1]!, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
}
