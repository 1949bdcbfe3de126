import { request } from 'node:http';
import type { ContainerHandle, PodDriver } from './pod-driver.js';
import { dialTcp, dialUntilListening } from './tcp-dialer.js';

export type ProbeKind = 'startup' | 'liveness' | 'readiness';

export interface ProbeOutcome {
  ok: boolean;
  /** Why it failed, worded as the kubelet words it. */
  message: string;
}

/** What a probe needs to reach its container. */
export interface ProbeTarget {
  podIP: string;
  container: any;
  handle: ContainerHandle;
  env: Record<string, string>;
  driver: PodDriver;
}

function resolvePort(port: number | string, container: any): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return (container.ports ?? []).find((p: any) => p.name === port)?.containerPort;
}

function httpProbe(action: any, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const port = resolvePort(action.port, target.container);
  if (port === undefined) return Promise.resolve({ ok: false, message: `unknown port ${JSON.stringify(action.port)}` });
  const host = action.host || target.podIP;
  const path = action.path || '/';
  const url = `${(action.scheme ?? 'HTTP').toLowerCase()}://${host}:${port}${path}`;
  if ((action.scheme ?? 'HTTP').toUpperCase() !== 'HTTP') return Promise.resolve({ ok: false, message: `HTTPS probes are not supported by the built-in runtime (${url})` });
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const h of action.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', headers }, (res) => {
      clearTimeout(deadline);
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true, message: '' } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    // timeoutSeconds bounds the whole exchange, as Go's http.Client.Timeout does, not the silence between two
    // packets (a server trickling its headers never timed out). As the tcp dialer's: an answer that came in time
    // but waits behind a busy event loop is read by the poll after the timers.
    const deadline = setTimeout(() => setImmediate(() => req.destroy(new Error(`context deadline exceeded (Client.Timeout exceeded while awaiting headers)`))), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(deadline);
      resolve({ ok: false, message: `Get "${url}": ${err.message}` });
    });
    req.end();
  });
}

async function tcpProbe(action: any, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const port = resolvePort(action.port, target.container);
  if (port === undefined) return { ok: false, message: `unknown port ${JSON.stringify(action.port)}` };
  const host = action.host || target.podIP;
  const outcome = await dialTcp(host, port, timeoutMs);
  return outcome.ok ? { ok: true, message: '' } : { ok: false, message: `dial tcp ${host}:${port}: ${outcome.error}` };
}

async function execProbe(action: any, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const argv: string[] = action.command ?? [];
  if (argv.length === 0) return { ok: false, message: 'exec probe has no command' };
  const result = await target.driver.exec(target.handle, { env: target.env, workingDir: target.container.workingDir ?? '' }, argv, timeoutMs);
  if (result.exitCode === 0) return { ok: true, message: '' };
  return { ok: false, message: result.exitCode === -1 ? `command ${JSON.stringify(argv.join(' '))} timed out` : result.output.trim() || `command exited with ${result.exitCode}` };
}

/** Where an httpGet or tcpSocket probe connects; undefined for other kinds. */
function probeAddress(handler: any, target: ProbeTarget): { host: string; port: number } | undefined {
  const action = handler.httpGet ?? handler.tcpSocket;
  const port = action ? resolvePort(action.port, target.container) : undefined;
  return port === undefined ? undefined : { host: action.host || target.podIP, port };
}

/** Runs a probe or lifecycle handler (httpGet, tcpSocket, exec) once. */
export function runHandler(handler: any, target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  if (handler.httpGet) return httpProbe(handler.httpGet, target, timeoutMs);
  if (handler.tcpSocket) return tcpProbe(handler.tcpSocket, target, timeoutMs);
  if (handler.exec) return execProbe(handler.exec, target, timeoutMs);
  if (handler.sleep) return new Promise((r) => setTimeout(() => r({ ok: true, message: '' }), Number(handler.sleep.seconds ?? 0) * 1000));
  return Promise.resolve({ ok: false, message: `probe kind ${Object.keys(handler).join(', ')} is not supported (httpGet, tcpSocket and exec are)` });
}

export interface ProbeListener {
  /** The probe's result flipped; `ok` is the new result. */
  onResult(kind: ProbeKind, ok: boolean): void;
  /** One attempt failed (for the `Unhealthy` event). */
  onFailure(kind: ProbeKind, message: string): void;
}

/**
 * One probe of one container instance, on Kubernetes' schedule: first after
 * initialDelaySeconds, then every periodSeconds; the result flips after
 * successThreshold successes or failureThreshold failures in a row.
 *
 * A startup or readiness probe on a port makes its first attempt as soon as
 * the port accepts connections (within one period), rather than failing on a
 * server still starting and waiting a whole period: a pod is Ready when its
 * server listens. The kubelet too starts each worker at a random point of its
 * first period; liveness keeps the exact schedule so failures count as before.
 */
export class ProbeWorker {
  result: boolean;
  /** failureThreshold failures in a row were seen (a failed startup probe kills the container). */
  failedOut = false;
  private timer?: NodeJS.Timeout;
  /** Ends the wait for the port to listen, while there is one. */
  private cancelWait?: () => void;
  private stopped = false;
  private streak = 0;
  private lastOk?: boolean;
  private paused: boolean;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: any,
    private readonly target: ProbeTarget,
    private readonly listener: ProbeListener,
    options: { initial: boolean; paused: boolean },
  ) {
    this.result = options.initial;
    this.paused = options.paused;
  }

  /** `startedAtMs`: when the container instance started, so initialDelaySeconds counts from there. */
  start(startedAtMs: number): void {
    const firstAt = startedAtMs + (this.probe.initialDelaySeconds ?? 0) * 1000;
    const address = this.kind === 'liveness' ? undefined : probeAddress(this.probe, this.target);
    const first = address ? () => void this.whenListening(address, firstAt + this.periodMs()) : () => void this.tick();
    this.timer = setTimeout(first, Math.max(0, firstAt - Date.now()));
    this.timer.unref();
  }

  /** Liveness and readiness probes wait until the startup probe has succeeded. */
  resume(): void {
    this.paused = false;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.cancelWait?.();
  }

  private periodMs(): number {
    return (this.probe.periodSeconds ?? 10) * 1000;
  }

  /**
   * Waits (on the dialer's thread, trying soon after starting, then every 100 ms) until the port accepts or
   * `deadline`, then probes. A tcpSocket probe's check is that very connection: it counts as the first attempt.
   */
  private async whenListening(address: { host: string; port: number }, deadline: number): Promise<void> {
    let accepted = false;
    if (!this.stopped && !this.paused && Date.now() < deadline) {
      const wait = dialUntilListening(address.host, address.port, (this.probe.timeoutSeconds ?? 1) * 1000, deadline);
      this.cancelWait = wait.cancel;
      accepted = (await wait.outcome).ok;
      this.cancelWait = undefined;
    }
    await this.tick(accepted && this.probe.tcpSocket ? { ok: true, message: '' } : undefined);
  }

  /** One attempt on the probe's schedule; `known`: its outcome, already seen by the wait for the port. */
  private async tick(known?: ProbeOutcome): Promise<void> {
    if (this.stopped) return;
    if (!this.paused) {
      const timeoutMs = (this.probe.timeoutSeconds ?? 1) * 1000;
      const outcome = known ?? (await runHandler(this.probe, this.target, timeoutMs).catch((err: Error) => ({ ok: false, message: err.message })));
      if (this.stopped) return;
      this.streak = outcome.ok === this.lastOk ? this.streak + 1 : 1;
      this.lastOk = outcome.ok;
      if (!outcome.ok) this.listener.onFailure(this.kind, outcome.message);
      const threshold = outcome.ok ? (this.probe.successThreshold ?? 1) : (this.probe.failureThreshold ?? 3);
      if (this.streak >= threshold) {
        const flipped = this.result !== outcome.ok || (!outcome.ok && !this.failedOut);
        this.result = outcome.ok;
        this.failedOut = !outcome.ok;
        if (flipped) this.listener.onResult(this.kind, outcome.ok);
      }
      // A startup probe is done once it succeeds.
      if (this.kind === 'startup' && this.result) return;
    }
    this.timer = setTimeout(() => void this.tick(), this.periodMs());
    this.timer.unref();
  }
}
