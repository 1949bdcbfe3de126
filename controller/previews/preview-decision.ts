/** What happened to a request's event, for the webhook's answer and the logs. */
export type PreviewDecision =
  | { action: 'deployed'; number: number; apps: string[] }
  | { action: 'removed'; number: number }
  /** `retry`: it may work later without a new event (repository not read yet, cluster or Git unavailable). */
  | { action: 'ignored'; number: number; reason: string; retry?: boolean };

/** An `ignored` decision for request `number`, logged as `#N: reason`. */
export function ignoredDecision(log: (line: string) => void, number: number, reason: string, retry = false): PreviewDecision {
  log(`#${number}: ${reason}`);
  return { action: 'ignored', number, reason, ...(retry ? { retry } : {}) };
}
