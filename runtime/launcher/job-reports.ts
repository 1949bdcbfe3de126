import type { ChildProcess } from 'node:child_process';

/** What a job reports: its pid (and what else its `p` line says) once forked, its exit status once ended. */
export interface JobListener {
  pid?: (pid: number, rest: string[]) => void;
  exit: (code: number) => void;
}

/**
 * The jobs a long-lived helper (the launcher's shell, the sandbox zygote) runs,
 * as it reports them on its stdout: `p <id> <pid> …` once forked and
 * `x <id> <status>` once ended.
 */
export class JobReports {
  private buffered = '';
  private readonly pending = new Map<number, JobListener>();

  /** Jobs sent and not yet ended. */
  get size(): number {
    return this.pending.size;
  }

  expect(id: number, listener: JobListener): void {
    this.pending.set(id, listener);
  }

  /** Takes a chunk of the helper's stdout. */
  receive(chunk: string): void {
    this.buffered += chunk;
    let end: number;
    while ((end = this.buffered.indexOf('\n')) >= 0) {
      const [kind, id, value, ...rest] = this.buffered.slice(0, end).split(' ');
      this.buffered = this.buffered.slice(end + 1);
      const p = this.pending.get(Number(id));
      if (!p) continue;
      if (kind === 'p') p.pid?.(Number(value), rest);
      else if (kind === 'x') {
        this.pending.delete(Number(id));
        p.exit(Number(value));
      }
    }
  }

  /** The helper is gone: whatever was in flight ends with status 255, so its callers see a failure, not a hang. */
  lose(): void {
    const lost = [...this.pending.values()];
    this.pending.clear();
    this.buffered = '';
    for (const p of lost) p.exit(255);
  }
}

/**
 * Whether a helper's stdout keeps node alive: only while a caller waits on it. The helper itself and its stdin
 * never do (`held` false at its start unless someone waits already).
 */
export function holdHelper(child: ChildProcess, held: boolean, atStart = false): void {
  const stdout = child.stdout as unknown as { ref?: () => void; unref?: () => void } | null;
  if (held) stdout?.ref?.();
  else stdout?.unref?.();
  if (atStart) {
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
}
