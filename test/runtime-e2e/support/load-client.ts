import http from 'node:http';

export interface LoadOptions {
  host: string;
  port: number;
  /** @defaultValue 4 */
  concurrency?: number;
  /** Pause between two requests of one client, to keep the load bounded on a small machine. @defaultValue 5 */
  pauseMs?: number;
  /**
   * Resend a GET whose reused keep-alive connection was closed by the server
   * before any byte of the answer, as browsers, curl and Go do (and Node's
   * docs advise, see `request.reusedSocket`): the server never saw it.
   * @defaultValue true
   */
  retryStaleKeepAlive?: boolean;
}

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  staleRetries: number;
  /** Answer bodies and how often each came. */
  bodies: Record<string, number>;
  /** The first few failures, for the test's message. */
  errors: string[];
}

/** A few keep-alive clients hammering one address until `stop()`. */
export class LoadClient {
  private readonly agent: http.Agent;
  private running = true;
  private readonly loops: Promise<void>[];
  readonly result: LoadResult = { sent: 0, ok: 0, failed: 0, staleRetries: 0, bodies: {}, errors: [] };

  constructor(private readonly options: LoadOptions) {
    const concurrency = options.concurrency ?? 4;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    this.loops = Array.from({ length: concurrency }, () => this.loop());
  }

  /** Counters since `start`; a copy. */
  snapshot(): LoadResult {
    return { ...this.result, bodies: { ...this.result.bodies }, errors: [...this.result.errors] };
  }

  async stop(): Promise<LoadResult> {
    this.running = false;
    await Promise.all(this.loops);
    this.agent.destroy();
    return this.snapshot();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.result.sent++;
      try {
        const body = await this.getWithRetry();
        this.result.ok++;
        this.result.bodies[body] = (this.result.bodies[body] ?? 0) + 1;
      } catch (err) {
        this.result.failed++;
        if (this.result.errors.length < 20) this.result.errors.push(`${new Date().toISOString()} ${(err as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs ?? 5));
    }
  }

  private async getWithRetry(): Promise<string> {
    for (;;) {
      try {
        return await this.get();
      } catch (err) {
        const stale = (err as { staleKeepAlive?: boolean }).staleKeepAlive;
        if (!stale || this.options.retryStaleKeepAlive === false) throw err;
        this.result.staleRetries++;
      }
    }
  }

  private get(): Promise<string> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = http.get({ host: this.options.host, port: this.options.port, path: '/', agent: this.agent, timeout: 30_000 }, (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}: ${body}`))));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
      req.on('error', (err) => {
        // Closed under us before any answer on a connection that had served earlier requests.
        const stale = !answered && req.reusedSocket && ['ECONNRESET', 'EPIPE'].includes((err as NodeJS.ErrnoException).code ?? '');
        reject(Object.assign(new Error(`${(err as Error).message}${req.reusedSocket ? ' (reused connection)' : ' (new connection)'}`), { staleKeepAlive: stale }));
      });
    });
  }
}

export function describeLoad(what: string, r: LoadResult): string {
  return `${what}: sent ${r.sent}, ok ${r.ok}, failed ${r.failed}, stale keep-alive resent ${r.staleRetries}, bodies ${JSON.stringify(r.bodies)}${r.errors.length ? `\n  ${r.errors.join('\n  ')}` : ''}`;
}
