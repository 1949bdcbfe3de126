/**
 * Hands out one loopback address per pod from 127.1.0.0/16. Addresses in use
 * are re-learnt on start from pod statuses and the kubelet's own records, so
 * a restarted runtime never gives a live pod's address to another; addresses
 * a socket on the machine is bound to are skipped.
 */
const BOUND_REREAD_MS = 1000;

export class PodIpAllocator {
  private readonly owners = new Map<string, string>();
  private readonly bound: () => ReadonlySet<string>;
  private cursor: number;

  /**
   * `bound`: the addresses some socket on the machine already uses (another
   * runtime's pods, say); they are skipped. `start`: the first address to try,
   * as an offset in the range; random by default, so two runtimes on one
   * machine (parallel tests, say) do not hand out the same first addresses.
   */
  constructor(options: { bound?: () => ReadonlySet<string>; start?: number } = {}) {
    const read = options.bound ?? (() => new Set<string>());
    // A burst of pods (a scale to 1,000) reads the socket tables once a second, not once a pod.
    let cached: { at: number; set: ReadonlySet<string> } | undefined;
    this.bound = () => {
      if (!cached || Date.now() - cached.at > BOUND_REREAD_MS) cached = { at: Date.now(), set: read() };
      return cached.set;
    };
    this.cursor = options.start ?? 2 + Math.floor(Math.random() * 65000);
  }

  /** Records `ip` as owned by `uid`; false when another pod already holds it. */
  claim(ip: string, uid: string): boolean {
    const owner = this.owners.get(ip);
    if (owner !== undefined && owner !== uid) return false;
    this.owners.set(ip, uid);
    return true;
  }

  allocate(uid: string): string {
    for (const [ip, owner] of this.owners) if (owner === uid) return ip;
    // 127.1.0.1 is left out so it can serve as a well-known address; .0 and .255 of each /24 are avoided for clarity.
    const bound = this.bound();
    for (let tries = 0; tries < 65536; tries++) {
      const n = this.cursor;
      this.cursor = this.cursor >= 65534 ? 2 : this.cursor + 1;
      const low = n & 255;
      if (low === 0 || low === 255) continue;
      const ip = `127.1.${n >> 8}.${low}`;
      if (!this.owners.has(ip) && !bound.has(ip)) {
        this.owners.set(ip, uid);
        return ip;
      }
    }
    throw new Error('no free pod IP left in 127.1.0.0/16');
  }

  release(uid: string): void {
    for (const [ip, owner] of this.owners) if (owner === uid) this.owners.delete(ip);
  }
}
