import type { SyncAppliedData, SyncProgressData } from '../../health/sync-progress.js';
import type { WorkloadHealth } from '../../health/wait-for-healthy.js';
import type { StateEvent } from '../../state/state-event.js';
import { firstLine, shortRev } from './api-client.js';
import type { RevisionHistoryEntry } from '../../state/revision-history.js';

/** `tty`: one live status line (bar, counts) under the lasting lines; `plain`: one line per event, for logs and pipes. */
export type ProgressMode = 'tty' | 'plain';

/** Where the view writes; process.stdout fits (`columns` is read on a terminal). */
export interface ProgressOutput {
  write(text: string): unknown;
  columns?: number;
}

const BAR_WIDTH = 20;
const CLEAR_LINE = '\r\x1b[2K';

/**
 * What `baton sync --wait` shows while a sync runs: objects applied, then the
 * pods of each workload becoming ready, then the result; a rollback is shown
 * the same way. Fed the app's events from `GET /api/v1/events`.
 */
export class SyncProgressView {
  private readonly workloads = new Map<string, WorkloadHealth>();
  private applied: { done: number; total: number; last: string } | undefined;
  private phase: 'sync' | 'rollback' = 'sync';
  private status = '';

  constructor(
    private readonly out: ProgressOutput,
    private readonly mode: ProgressMode,
  ) {}

  event(event: StateEvent): void {
    const data = (event.data ?? {}) as Record<string, unknown>;
    const prefix = (phase: unknown) => (phase === 'rollback' ? 'rollback: ' : '');
    if (event.type === 'sync.started') this.reset('sync');
    if (event.type === 'sync.applied') {
      const { phase, applied, total, object } = data as unknown as SyncAppliedData;
      if (phase !== this.phase) this.reset(phase, event);
      const what = `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
      this.applied = { done: applied, total, last: what };
      if (object.action === 'pruned') this.line(event, `${prefix(phase)}pruned ${what}`);
      else if (this.mode === 'plain') this.line(event, `${prefix(phase)}applied ${applied}/${total}: ${what} (${object.action})`);
      else this.draw();
      return;
    }
    if (event.type === 'sync.progress') {
      const { phase, workload } = data as unknown as SyncProgressData;
      if (phase !== this.phase) this.reset(phase, event);
      const key = `${workload.kind}/${workload.namespace}/${workload.name}`;
      const before = this.workloads.get(key);
      this.workloads.set(key, workload);
      const text = `${prefix(phase)}${describeWorkload(workload)}`;
      // On a terminal only the moments worth keeping stay on screen; the rest is the live status line.
      if (this.mode === 'plain' || (workload.state !== 'progressing' && workload.state !== before?.state)) this.line(event, text);
      else this.draw();
      return;
    }
    const text = describeEvent(event);
    if (text) this.line(event, text);
    if (event.type === 'sync.recorded') this.clear();
  }

  /** Removes the live status line, before the command's last words. */
  end(): void {
    this.clear();
  }

  private reset(phase: 'sync' | 'rollback', event?: StateEvent): void {
    this.workloads.clear();
    this.applied = undefined;
    this.phase = phase;
    if (phase === 'rollback' && event) this.line(event, 'rolling back to the last healthy manifests');
    this.clear();
  }

  /** A lasting line; on a terminal the status line is redrawn under it. */
  private line(event: StateEvent, text: string): void {
    const line = `${event.time.slice(11, 19)}  ${event.app ?? ''}  ${text}\n`;
    if (this.mode === 'tty' && this.status) this.out.write(`${CLEAR_LINE}${line}${this.status}`);
    else this.out.write(line);
  }

  private draw(): void {
    const next = this.statusText();
    const width = Math.max(20, (this.out.columns ?? 100) - 1);
    this.status = next.length > width ? `${next.slice(0, width - 1)}…` : next;
    this.out.write(`${CLEAR_LINE}${this.status}`);
  }

  private clear(): void {
    if (this.mode !== 'tty' || !this.status) return;
    this.out.write(CLEAR_LINE);
    this.status = '';
  }

  private statusText(): string {
    const label = this.phase === 'rollback' ? 'rollback ' : '';
    const counted = [...this.workloads.values()].filter((w) => w.replicas);
    if (counted.length === 0) {
      const a = this.applied;
      return a ? `${label}applying  ${bar(a.done, a.total)} ${a.done}/${a.total} objects  ${a.last}` : `${label}waiting for workloads`;
    }
    const ready = counted.reduce((n, w) => n + w.replicas!.ready, 0);
    const desired = counted.reduce((n, w) => n + w.replicas!.desired, 0);
    const each = counted.map((w) => `${w.name} ${w.replicas!.ready}/${w.replicas!.desired}`).join(' · ');
    return `${label}rolling out  ${bar(ready, desired)} ${ready}/${desired} pods ready  ${each}`;
  }
}

function bar(done: number, total: number): string {
  const filled = total > 0 ? Math.min(BAR_WIDTH, Math.round((done / total) * BAR_WIDTH)) : BAR_WIDTH;
  return `[${'#'.repeat(filled)}${'·'.repeat(BAR_WIDTH - filled)}]`;
}

function describeWorkload(w: WorkloadHealth): string {
  const what = `${w.kind} ${w.namespace}/${w.name}`;
  const counts = w.replicas ? ` (${w.replicas.ready}/${w.replicas.desired} ready)` : '';
  if (w.state === 'done') return `${what} is rolled out${counts}`;
  if (w.state === 'failed') return `${what} failed: ${w.message}`;
  if (w.state === 'missing') return `${what} does not exist`;
  return `${what}: ${w.message}${counts}`;
}

/** An event in words, or '' when it says nothing a person waiting on a sync cares about. */
export function describeEvent(event: StateEvent): string {
  const data = (event.data ?? {}) as Record<string, unknown>;
  switch (event.type) {
    case 'sync.started':
      return `syncing to ${shortRev(data.revision as string)} (${String(data.trigger ?? 'unknown trigger')})`;
    case 'sync.recorded': {
      const entry = data.entry as RevisionHistoryEntry | undefined;
      if (!entry) return 'sync recorded';
      return `${entry.result} at ${shortRev(entry.revision)} after ${(entry.durationMs / 1000).toFixed(1)}s${entry.message ? `: ${firstLine(entry.message, 200)}` : ''}`;
    }
    case 'app.updated': {
      const parts = [data.syncStatus, data.health].filter((v) => typeof v === 'string');
      const message = typeof data.message === 'string' && data.message ? firstLine(data.message, 200) : '';
      if (parts.length === 0 && !message) return '';
      return [parts.join(', '), message].filter(Boolean).join(': ');
    }
    case 'app.deleted':
      return 'removed (no longer declared in baton.yaml)';
    default:
      return event.type;
  }
}
