import { copyFileSync, existsSync, openSync, readFileSync, readSync, closeSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

export interface LogOptions {
  container?: string;
  /** Only the last N lines. */
  tailLines?: number;
  /** The previous instance's log instead of the current one. */
  previous?: boolean;
  /** Keep streaming new output until the container instance ends. */
  follow?: boolean;
  /** Only output written in the last N seconds (to about a second, from the kubelet's size samples). */
  sinceSeconds?: number;
  /** Stop after this many bytes. */
  limitBytes?: number;
  /** Prefix each line with an RFC 3339 time (see ContainerLogs.read). */
  timestamps?: boolean;
}

/** Go's time.RFC3339Nano in UTC, as the kubelet prints it: trailing zeros of the fraction dropped. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0*Z$/, 'Z');
}

/** Prefixes every line start in the chunks pushed through it with a time, across chunk boundaries. */
class LineStamper {
  private atLineStart = true;

  stamp(chunk: Buffer, timeOf: (endOffset: number) => number): Buffer {
    const parts: Buffer[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(0x0a, pos);
      const end = nl < 0 ? chunk.length : nl + 1;
      if (this.atLineStart) parts.push(Buffer.from(`${rfc3339Nano(timeOf(end))} `));
      parts.push(chunk.subarray(pos, end));
      this.atLineStart = nl >= 0;
      pos = end;
    }
    return Buffer.concat(parts);
  }
}

/** Ends `source` after `limit` bytes. */
function limited(source: Readable, limit: number | undefined): Readable {
  if (limit === undefined) return source;
  let left = limit;
  const out = new Readable({
    read() {
      source.resume();
    },
    destroy(err, cb) {
      source.destroy();
      cb(err);
    },
  });
  source.on('data', (chunk: Buffer) => {
    if (left <= 0) return;
    const part = chunk.subarray(0, left);
    left -= part.length;
    if (!out.push(part)) source.pause();
    if (left <= 0) {
      out.push(null);
      source.destroy();
    }
  });
  source.once('end', () => {
    if (left > 0) out.push(null);
  });
  source.once('error', (err) => out.destroy(err));
  if (limit <= 0) {
    out.push(null);
    source.destroy();
  }
  return out;
}

export function currentLogPath(containerDir: string): string {
  return join(containerDir, 'current.log');
}

function rotatedLogPath(containerDir: string): string {
  return join(containerDir, 'current.log.1');
}

function previousLogPath(containerDir: string): string {
  return join(containerDir, 'previous.log');
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

function readFrom(path: string, offset: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const size = statSync(path).size;
    if (size <= offset) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - offset);
    const n = readSync(fd, buf, 0, buf.length, offset);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function lastLines(text: Buffer, n: number): Buffer {
  if (n <= 0) return Buffer.alloc(0);
  let end = text.length;
  // A trailing newline ends the last line rather than starting an empty one.
  if (end > 0 && text[end - 1] === 0x0a) end--;
  let pos = end;
  for (let seen = 0; pos > 0; ) {
    if (text[pos - 1] === 0x0a && ++seen === n) break;
    pos--;
  }
  return text.subarray(pos);
}

/**
 * Per-container log files, written directly by the container process
 * (so logs survive the runtime): `current.log`, capped by copy-and-truncate
 * into `current.log.1`, and `previous.log` for the instance before.
 */
export class ContainerLogs {
  /** (time, size) samples of each current log, so `sinceSeconds` can find an offset. */
  private readonly samples = new Map<string, Array<{ at: number; size: number }>>();

  constructor(private readonly maxBytes: number) {}

  /** Called before a new instance starts: its predecessor's log becomes `previous`, with its samples. */
  beginInstance(containerDir: string): void {
    const current = currentLogPath(containerDir);
    const previous = previousLogPath(containerDir);
    if (existsSync(current)) renameSync(current, previous);
    rmSync(rotatedLogPath(containerDir), { force: true });
    const samples = this.samples.get(current);
    if (samples) this.samples.set(previous, samples);
    else this.samples.delete(previous);
    this.samples.delete(current);
  }

  /** Drops what is kept in memory about a container whose pod is gone (its directory goes with it). */
  forget(containerDir: string): void {
    this.samples.delete(currentLogPath(containerDir));
    this.samples.delete(previousLogPath(containerDir));
  }

  /** How many current logs have size samples in memory: one per container of a pod on this node. */
  get tracked(): number {
    let n = 0;
    for (const path of this.samples.keys()) if (path.endsWith('current.log')) n++;
    return n;
  }

  /** Caps the current log and records a size sample; cheap enough to call every reconcile. */
  maintain(containerDir: string): void {
    const current = currentLogPath(containerDir);
    let size = sizeOf(current);
    if (size > this.maxBytes) {
      copyFileSync(current, rotatedLogPath(containerDir));
      truncateSync(current, 0);
      size = 0;
      this.samples.delete(current);
    }
    if (size < 0) return;
    const list = this.samples.get(current) ?? [];
    if (list.length === 0 || list[list.length - 1].size !== size) list.push({ at: Date.now(), size });
    if (list.length > 4096) list.splice(0, list.length - 4096);
    this.samples.set(current, list);
  }

  /**
   * A stream of the log; with `follow` it ends once `stillRunning()` turns
   * false and the file is drained. `previousIsCurrent`: no new instance has
   * started since the last one ended (back-off), so its log is still the current file.
   * The container writes its log file itself, so lines have no time of their
   * own: `timestamps` gives each the time the kubelet first saw the file
   * reach its end (the size samples of each sync, about a second; while
   * following, the 250 ms poll), a rotated-away part its file's mtime.
   */
  read(containerDir: string, options: LogOptions, stillRunning: () => boolean, previousIsCurrent = false): Readable {
    return limited(this.readAll(containerDir, options, stillRunning, previousIsCurrent), options.limitBytes);
  }

  private readAll(containerDir: string, options: LogOptions, stillRunning: () => boolean, previousIsCurrent: boolean): Readable {
    const current = currentLogPath(containerDir);
    const rotated = rotatedLogPath(containerDir);
    const fromCurrent = !options.previous || previousIsCurrent;
    const logPath = fromCurrent ? current : previousLogPath(containerDir);
    const head = fromCurrent ? readFrom(rotated, 0) : Buffer.alloc(0);
    const full: Buffer = Buffer.concat([head, readFrom(logPath, 0)]);
    let text: Buffer = full;
    if (!options.previous && options.sinceSeconds !== undefined) text = text.subarray(Math.max(0, text.length - this.bytesSince(current, options.sinceSeconds)));
    if (options.tailLines !== undefined) text = lastLines(text, options.tailLines);
    const stamper = options.timestamps ? new LineStamper() : undefined;
    if (stamper) {
      // text is a suffix of full: offsets in full, less the rotated head, are offsets in the log file.
      const start = full.length - text.length;
      const headTime = mtimeOf(rotated);
      text = stamper.stamp(text, (end) => (start + end <= head.length ? headTime : this.timeSeen(logPath, start + end - head.length)));
    }
    if (!options.follow || options.previous) return Readable.from(text.length ? [text] : []);

    let offset = Math.max(0, sizeOf(current));
    let timer: NodeJS.Timeout | undefined;
    const stream = new Readable({
      read() {},
      destroy(err, cb) {
        clearTimeout(timer);
        cb(err);
      },
    });
    if (text.length) stream.push(text);
    const poll = (): void => {
      const size = sizeOf(current);
      // Rotation truncated the file underneath us: continue from its start.
      if (size >= 0 && size < offset) offset = 0;
      const chunk = readFrom(current, offset);
      if (chunk.length) {
        offset += chunk.length;
        const now = Date.now();
        stream.push(stamper ? stamper.stamp(chunk, () => now) : chunk);
      }
      if (!stillRunning() && chunk.length === 0) {
        stream.push(null);
        return;
      }
      timer = setTimeout(poll, 250);
    };
    timer = setTimeout(poll, 250);
    return stream;
  }

  /** When the kubelet first saw `path` at least `offset` bytes long; now when no sample has yet. */
  private timeSeen(path: string, offset: number): number {
    for (const s of this.samples.get(path) ?? []) if (s.size >= offset) return s.at;
    return Date.now();
  }

  private bytesSince(current: string, seconds: number): number {
    const size = Math.max(0, sizeOf(current));
    const since = Date.now() - seconds * 1000;
    const list = this.samples.get(current) ?? [];
    // The last sample taken before the window began marks where the window's output starts.
    let base: number | undefined;
    for (const s of list) if (s.at <= since) base = s.size;
    if (base === undefined) return list.length > 0 && list[0].at > since ? Infinity : size;
    return Math.max(0, size - base);
  }
}

/** Reads a whole small file, or '' when it is missing. */
export function readTail(path: string, lines: number): string {
  try {
    return lastLines(readFileSync(path), lines).toString('utf8');
  } catch {
    return '';
  }
}
