/** A ready backend address of a Service port. */
export interface Endpoint {
  ip: string;
  port: number;
}

export function endpointKey(endpoint: Endpoint): string {
  return `${endpoint.ip}:${endpoint.port}`;
}

export interface EndpointPickerOptions {
  /**
   * How long an endpoint that refused a connection is passed over while other
   * endpoints remain, so a dead backend costs one retry per period, not one per request.
   * @defaultValue 1000
   */
  failureCooldownMs?: number;
}

/**
 * Round-robin choice over the ready endpoints of one Service port. Shared by the
 * TCP proxy and (later) the HTTP ingress router, so both balance the same way.
 * Replacing the set takes effect for the next pick; connections already made keep going.
 */
export class EndpointPicker {
  private endpoints: Endpoint[] = [];
  private next = 0;
  private readonly coolingUntil = new Map<string, number>();
  private readonly failureCooldownMs: number;

  constructor(options: EndpointPickerOptions = {}) {
    this.failureCooldownMs = options.failureCooldownMs ?? 1000;
  }

  get size(): number {
    return this.endpoints.length;
  }

  list(): readonly Endpoint[] {
    return this.endpoints;
  }

  setEndpoints(endpoints: readonly Endpoint[]): void {
    const unique = new Map(endpoints.map((e) => [endpointKey(e), { ip: e.ip, port: e.port }]));
    // A stable order keeps round-robin fair across updates that only reorder.
    this.endpoints = [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
    for (const key of this.coolingUntil.keys()) if (!unique.has(key)) this.coolingUntil.delete(key);
    if (this.next >= this.endpoints.length) this.next = 0;
  }

  /**
   * The next endpoint not in `exclude`, preferring ones that have not just
   * refused a connection; undefined when every endpoint is excluded.
   */
  pick(exclude?: ReadonlySet<string>): Endpoint | undefined {
    const n = this.endpoints.length;
    const now = Date.now();
    let fallback: number | undefined;
    for (let i = 0; i < n; i++) {
      const index = (this.next + i) % n;
      const key = endpointKey(this.endpoints[index]);
      if (exclude?.has(key)) continue;
      if ((this.coolingUntil.get(key) ?? 0) > now) {
        fallback ??= index;
        continue;
      }
      this.next = (index + 1) % n;
      return this.endpoints[index];
    }
    if (fallback === undefined) return undefined;
    this.next = (fallback + 1) % n;
    return this.endpoints[fallback];
  }

  reportConnectFailure(endpoint: Endpoint): void {
    this.coolingUntil.set(endpointKey(endpoint), Date.now() + this.failureCooldownMs);
  }

  reportConnectSuccess(endpoint: Endpoint): void {
    this.coolingUntil.delete(endpointKey(endpoint));
  }
}
