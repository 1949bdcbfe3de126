import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NetworkError } from './network-error.js';
import { contains, formatCidr, intToIp, ipToInt, podAddressRange, type Ipv4Cidr } from './ipv4-cidr.js';

interface AllocationsFile {
  podCidr: string;
  /** The address handed out last; the next search starts after it. */
  last?: string;
  pods: Record<string, string>;
}

/**
 * Pod addresses from the CIDR, persisted so a restarted runtime gives a live
 * pod the address it has. Like CNI's host-local IPAM, the search goes round
 * the range from the last address handed out, so an address freed a moment
 * ago is reused last and a late packet for an old pod rarely meets a new one.
 */
export class AddressAllocator {
  private readonly pods = new Map<string, number>();
  private last: number | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** The write not started yet, that a save joins. */
  private queued: Promise<void> | undefined;

  private constructor(
    private readonly file: string,
    private readonly cidr: Ipv4Cidr,
  ) {}

  /** Loads `file` if present; entries outside `cidr` are dropped. */
  static async open(file: string, cidr: Ipv4Cidr): Promise<AddressAllocator> {
    const allocator = new AddressAllocator(file, cidr);
    let saved: AllocationsFile | undefined;
    try {
      saved = JSON.parse(await readFile(file, 'utf8')) as AllocationsFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const taken = new Set<number>();
    for (const [uid, ip] of Object.entries(saved?.pods ?? {})) {
      const n = ipToInt(ip);
      if (n === undefined || !allocator.isPodAddress(n) || taken.has(n)) continue;
      taken.add(n);
      allocator.pods.set(uid, n);
    }
    const last = saved?.last === undefined ? undefined : ipToInt(saved.last);
    if (last !== undefined && allocator.isPodAddress(last)) allocator.last = last;
    return allocator;
  }

  /** Pod uids that hold an address. */
  uids(): string[] {
    return [...this.pods.keys()];
  }

  get(uid: string): string | undefined {
    const n = this.pods.get(uid);
    return n === undefined ? undefined : intToIp(n);
  }

  /** The pod's address, taking a free one (and saving) when it has none. */
  async allocate(uid: string): Promise<string> {
    const held = this.get(uid);
    if (held !== undefined) return held;
    const { first, last } = podAddressRange(this.cidr);
    const size = last - first + 1;
    const inUse = new Set(this.pods.values());
    const start = this.last === undefined ? first : this.last + 1;
    for (let i = 0; i < size; i++) {
      const candidate = first + ((start - first + i) % size);
      if (inUse.has(candidate)) continue;
      this.pods.set(uid, candidate);
      this.last = candidate;
      await this.save();
      return intToIp(candidate);
    }
    throw new NetworkError('POOL_EXHAUSTED', `no free address left in the pod CIDR ${formatCidr(this.cidr)} (${size} pods have one)`, {
      podCidr: formatCidr(this.cidr),
    });
  }

  async release(uid: string): Promise<void> {
    if (this.pods.delete(uid)) await this.save();
  }

  /** Waits for pending writes: the file then says what memory says. */
  async flush(): Promise<void> {
    await this.writing;
  }

  async remove(): Promise<void> {
    await this.flush();
    this.pods.clear();
    await rm(this.file, { force: true });
  }

  private isPodAddress(n: number): boolean {
    const { first, last } = podAddressRange(this.cidr);
    return contains(this.cidr, n) && n >= first && n <= last;
  }

  /**
   * Writes are chained so an older snapshot never lands after a newer one;
   * temp + rename keeps the file whole across a crash. Saves asked for while
   * a write is in flight share the next one, which snapshots memory when it
   * starts: a burst of pods costs a few writes, not one each in a queue.
   */
  private save(): Promise<void> {
    if (this.queued) return this.queued;
    const write = async () => {
      this.queued = undefined;
      const snapshot: AllocationsFile = {
        podCidr: formatCidr(this.cidr),
        ...(this.last === undefined ? {} : { last: intToIp(this.last) }),
        pods: Object.fromEntries([...this.pods].map(([uid, n]) => [uid, intToIp(n)])),
      };
      await mkdir(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      await writeFile(temp, `${JSON.stringify(snapshot, null, 2)}\n`);
      await rename(temp, this.file);
    };
    const next = this.writing.then(write, write);
    this.queued = next;
    this.writing = next;
    return next;
  }
}
