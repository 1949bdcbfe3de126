import http from 'node:http';

export interface LoadTarget {
  /** Where to connect, e.g. the ingress `127.0.0.1`. */
  host: string;
  port: number;
  /** The Host header, e.g. `shop.localhost` for the ingress; the address when unset. */
  hostHeader?: string;
  /** Paths to GET, taken in turn. */
  paths: readonly string[];
}

export interface LoadOptions extends LoadTarget {
  /**
   * Requests per second over all connections; each connection waits its turn
   * rather than bursting, so a small machine keeps up with the probes it runs.
   * @defaultValue 200
   */
  rate?: number;
  /**
   * Keep-alive connections (and so requests in flight at most).
   * @defaultValue 8
   */
  connections?: number;
  /**
   * A request with no complete answer after this long counts as failed (`timeout`).
   * @defaultValue 10000
   */
  timeoutMs?: number;
  /** Called as each failure happens, e.g. to print it at once. */
  onFailure?: (failure: Failure) => void;
}

/** One failed request: when it started and ended (ms since the load began) and why. */
export interface Failure {
  startMs: number;
  endMs: number;
  path: string;
  reason: string;
}

export interface LoadReport {
  sent: number;
  ok: number;
  failed: number;
  /** Failures grouped by reason, e.g. `HTTP 502 upstream_unavailable`, `ECONNRESET`. */
  byReason: Record<string, number>;
  /** Every failure, in the order they ended. */
  failures: Failure[];
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  durationMs: number;
  /** Answers per `version` field seen in JSON bodies that carry one, e.g. `{"2.3.0": 1200}`. */
  versions: Record<string, number>;
}

/**
 * An open-loop-ish HTTP load: `connections` keep-alive clients share a
 * schedule of `rate` requests per second, and every request's outcome and
 * latency is kept, so a run can say exactly which requests failed and when
 * (to tell which were in flight at an instant, see `inFlightAt`).
 * A request counts as ok only with a 2xx answer read to its end.
 */
export class LoadGenerator {
  private readonly agent: http.Agent;
  private readonly started = performance.now();
  private running = true;
  private readonly loops: Promise<void>[];
  private readonly latencies: number[] = [];
  private readonly inFlight = new Map<number, number>();
  private nextSlot: number;
  private nextId = 0;
  private pathIndex = 0;
  private readonly report: Omit<LoadReport, 'latencyMs' | 'durationMs'> = { sent: 0, ok: 0, failed: 0, byReason: {}, failures: [], versions: {} };

  constructor(private readonly options: LoadOptions) {
    const connections = options.connections ?? 8;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    this.nextSlot = this.now();
    this.loops = Array.from({ length: connections }, () => this.loop());
  }

  /** Milliseconds since the load began. */
  now(): number {
    return performance.now() - this.started;
  }

  get sent(): number {
    return this.report.sent;
  }

  get failed(): number {
    return this.report.failed;
  }

  /** Start times (ms since the load began) of the requests still waiting for their answer. */
  inFlightStarts(): number[] {
    return [...this.inFlight.values()];
  }

  snapshot(): LoadReport {
    const sorted = Float64Array.from(this.latencies).sort();
    const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
    return {
      ...this.report,
      byReason: { ...this.report.byReason },
      failures: [...this.report.failures],
      versions: { ...this.report.versions },
      latencyMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1] : 0 },
      durationMs: this.now(),
    };
  }

  /** Stops sending, waits for the requests in flight, closes the connections. */
  async stop(): Promise<LoadReport> {
    this.running = false;
    await Promise.all(this.loops);
    this.agent.destroy();
    return this.snapshot();
  }

  private async loop(): Promise<void> {
    const interval = 1000 / (this.options.rate ?? 200);
    while (this.running) {
      // Claim the next slot of the shared schedule; a loop that fell behind does not try to catch up in a burst.
      const slot = Math.max(this.nextSlot, this.now() - interval);
      this.nextSlot = slot + interval;
      const wait = slot - this.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (!this.running) break;
      const path = this.options.paths[this.pathIndex++ % this.options.paths.length];
      await this.request(path);
    }
  }

  private async request(path: string): Promise<void> {
    const id = this.nextId++;
    const start = this.now();
    this.inFlight.set(id, start);
    this.report.sent++;
    const outcome = await this.get(path);
    this.inFlight.delete(id);
    const end = this.now();
    if (outcome.ok) {
      this.report.ok++;
      this.latencies.push(end - start);
      if (outcome.version) this.report.versions[outcome.version] = (this.report.versions[outcome.version] ?? 0) + 1;
      return;
    }
    this.report.failed++;
    this.report.byReason[outcome.reason] = (this.report.byReason[outcome.reason] ?? 0) + 1;
    const failure = { startMs: start, endMs: end, path, reason: outcome.reason };
    this.report.failures.push(failure);
    this.options.onFailure?.(failure);
  }

  private get(path: string): Promise<{ ok: true; version?: string } | { ok: false; reason: string }> {
    const { host, port, hostHeader, timeoutMs = 10_000 } = this.options;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (value: { ok: true; version?: string } | { ok: false; reason: string }) => {
        if (settled) return;
        settled = true;
        resolve(value);
      };
      const req = http.get({ host, port, path, agent: this.agent, headers: hostHeader ? { host: hostHeader } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err: NodeJS.ErrnoException) => settle({ ok: false, reason: `response ${err.code ?? err.message}` }));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return settle({ ok: true, version: versionOf(body) });
          settle({ ok: false, reason: `HTTP ${status} ${errorCodeOf(body)}`.trim() });
        });
      });
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
      req.on('error', (err: NodeJS.ErrnoException) => settle({ ok: false, reason: `${err.code ?? err.message}${req.reusedSocket ? ' (reused connection)' : ''}` }));
    });
  }
}

/** The `error` code of a JSON error body (the shop's), or the first words of a plain one (the ingress'). */
function errorCodeOf(body: string): string {
  try {
    // The gateway passes an upstream's error body on as `cause`: its message says what failed further down.
    const parsed = JSON.parse(body) as { error?: string; upstream?: string; message?: string; cause?: { message?: string } };
    return [parsed.error, parsed.upstream, parsed.message?.slice(0, 80), parsed.cause?.message ? `(${parsed.cause.message.slice(0, 80)})` : '']
      .filter(Boolean)
      .join(' ');
  } catch {
    return body.split('\n')[0].slice(0, 120);
  }
}

function versionOf(body: string): string | undefined {
  if (!body.startsWith('{')) return undefined;
  try {
    const v = (JSON.parse(body) as { version?: unknown }).version;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The figures a run prints. */
export function describeReport(what: string, r: LoadReport): string {
  const reasons = Object.entries(r.byReason)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, n]) => `    ${String(n).padStart(6)}  ${reason}`);
  const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
  return [
    `${what}:`,
    `  requests sent ${r.sent}, ok ${r.ok}, failed ${r.failed} in ${(r.durationMs / 1000).toFixed(0)} s (${((r.sent * 1000) / Math.max(1, r.durationMs)).toFixed(0)} req/s)`,
    `  latency p50 ${fmt(r.latencyMs.p50)}, p90 ${fmt(r.latencyMs.p90)}, p99 ${fmt(r.latencyMs.p99)}, max ${fmt(r.latencyMs.max)}`,
    ...(reasons.length ? ['  failed by reason:', ...reasons] : []),
  ].join('\n');
}
