/**
 * Hands out one loopback address per pod from 127.1.0.0/16. Addresses in use
 * are re-learnt on start from pod statuses and the kubelet's own records, so
 * a restarted runtime never gives a live pod's address to another.
 */
export class PodIpAllocator {
  private readonly owners = new Map<string, string>();
  // A random start keeps two runtimes on one machine (parallel tests, say) from handing out the same first addresses.
  private cursor = 2 + Math.floor(Math.random() * 65000);

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
    for (let tries = 0; tries < 65536; tries++) {
      const n = this.cursor;
      this.cursor = this.cursor >= 65534 ? 2 : this.cursor + 1;
      const low = n & 255;
      if (low === 0 || low === 255) continue;
      const ip = `127.1.${n >> 8}.${low}`;
      if (!this.owners.has(ip)) {
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
