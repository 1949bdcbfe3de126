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

  /** Called before a new instance starts: its predecessor's log becomes `previous`. */
  beginInstance(containerDir: string): void {
    const current = currentLogPath(containerDir);
    if (existsSync(current)) renameSync(current, previousLogPath(containerDir));
    rmSync(rotatedLogPath(containerDir), { force: true });
    this.samples.delete(current);
  }

  /** Drops what is kept in memory about a container whose pod is gone (its directory goes with it). */
  forget(containerDir: string): void {
    this.samples.delete(currentLogPath(containerDir));
  }

  /** How many current logs have size samples in memory: one per container of a pod on this node. */
  get tracked(): number {
    return this.samples.size;
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
   */
  read(containerDir: string, options: LogOptions, stillRunning: () => boolean, previousIsCurrent = false): Readable {
    return limited(this.readAll(containerDir, options, stillRunning, previousIsCurrent), options.limitBytes);
  }

  private readAll(containerDir: string, options: LogOptions, stillRunning: () => boolean, previousIsCurrent: boolean): Readable {
    const current = currentLogPath(containerDir);
    let text: Buffer;
    if (options.previous) {
      text = previousIsCurrent
        ? Buffer.concat([readFrom(rotatedLogPath(containerDir), 0), readFrom(current, 0)])
        : readFrom(previousLogPath(containerDir), 0);
    } else {
      text = Buffer.concat([readFrom(rotatedLogPath(containerDir), 0), readFrom(current, 0)]);
      if (options.sinceSeconds !== undefined) text = text.subarray(Math.max(0, text.length - this.bytesSince(current, options.sinceSeconds)));
    }
    if (options.tailLines !== undefined) text = lastLines(text, options.tailLines);
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
        stream.push(chunk);
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
