import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const TABLES = ['/proc/net/tcp', '/proc/net/udp'];
/** How often `boundAddressesReader` reads the tables again, at most. */
const REREAD_MS = 1000;

/**
 * The local IPv4 addresses with a TCP or UDP socket bound to them right now,
 * from /proc/net/{tcp,udp} (this network namespace). Another runtime on the
 * machine (or any program) may be using a 127.1.x.y address: a pod given it
 * would fail to listen.
 */
export function boundAddresses(files: readonly string[] = TABLES): Set<string> {
  const found = new Set<string>();
  for (const file of files) {
    try {
      addAddresses(found, readFileSync(file, 'latin1'));
    } catch {
      // No such table here.
    }
  }
  return found;
}

/**
 * The same, kept up to date in the background: each call returns the addresses as last read and, when that read is
 * over a second old, starts another on libuv's thread pool. The kernel writes a line per socket (thousands of
 * TIME_WAIT ones from probes in a burst of pods): read on the event loop, that cost 65 ms a read.
 */
export function boundAddressesReader(files: readonly string[] = TABLES): () => ReadonlySet<string> {
  let current: ReadonlySet<string> = boundAddresses(files);
  let readAt = Date.now();
  let reading = false;
  const reread = async (): Promise<void> => {
    const found = new Set<string>();
    for (const file of files) addAddresses(found, await readFile(file, 'latin1').catch(() => ''));
    current = found;
    readAt = Date.now();
  };
  return () => {
    if (!reading && Date.now() - readAt > REREAD_MS) {
      reading = true;
      void reread().finally(() => (reading = false));
    }
    return current;
  };
}

function addAddresses(found: Set<string>, table: string): void {
  for (const line of table.split('\n').slice(1)) {
    const local = line.trim().split(/\s+/)[1];
    const ip = local ? procAddress(local) : undefined;
    if (ip) found.add(ip);
  }
}

/** `0201017F:1F90` (the kernel's little-endian hex) → `127.1.1.2`. */
export function procAddress(field: string): string | undefined {
  const m = /^([0-9A-Fa-f]{8}):[0-9A-Fa-f]{4}$/.exec(field);
  if (!m) return undefined;
  const n = Number.parseInt(m[1]!, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
}
