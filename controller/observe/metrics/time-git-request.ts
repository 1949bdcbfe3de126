import type { BatonMetrics } from './baton-metrics.js';

/** One Git request: a ref check (ls-remote) or a fetch, as a source reports it. */
export interface GitRequestEvent {
  /** The repository id. */
  repository: string;
  requestType: 'ls-remote' | 'fetch';
  durationMs: number;
  /** Set when the request failed. */
  error?: Error;
}

export function recordGitRequest(metrics: BatonMetrics, e: GitRequestEvent): void {
  const labels = { repo: e.repository, request_type: e.requestType };
  metrics.gitRequests.inc(labels);
  metrics.gitRequestDuration.observe(labels, e.durationMs / 1000);
  if (e.error) metrics.gitRequestFailures.inc(labels);
}

/** Runs one Git request and records its count, duration and failure; resolves or rejects as `request` does. */
export async function timeGitRequest<T>(metrics: BatonMetrics, repository: string, requestType: GitRequestEvent['requestType'], request: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await request();
    recordGitRequest(metrics, { repository, requestType, durationMs: performance.now() - started });
    return result;
  } catch (err) {
    recordGitRequest(metrics, { repository, requestType, durationMs: performance.now() - started, error: err instanceof Error ? err : new Error(String(err)) });
    throw err;
  }
}
