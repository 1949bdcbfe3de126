import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ContainerLogs, currentLogPath } from '../../../../runtime/kubelet/container-logs.js';

describe('ContainerLogs', () => {
  const dirs: string[] = [];
  const fresh = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'baton-logs-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    vi.useRealTimers();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('timestamps: each line gets the time the kubelet first sampled the log past it (RFC3339Nano, as Go prints it)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const dir = fresh();
    const logs = new ContainerLogs(1 << 20);
    vi.setSystemTime(Date.parse('2026-01-02T03:04:05.120Z'));
    appendFileSync(currentLogPath(dir), 'a\nb\n');
    logs.maintain(dir);
    vi.setSystemTime(Date.parse('2026-01-02T03:04:06Z'));
    appendFileSync(currentLogPath(dir), 'c\n');
    logs.maintain(dir);
    vi.setSystemTime(Date.parse('2026-01-02T03:04:07.5Z'));
    appendFileSync(currentLogPath(dir), 'd');
    expect(await text(logs.read(dir, { timestamps: true }, () => false))).toBe(
      '2026-01-02T03:04:05.12Z a\n2026-01-02T03:04:05.12Z b\n2026-01-02T03:04:06Z c\n2026-01-02T03:04:07.5Z d',
    );
    expect(await text(logs.read(dir, { timestamps: true, tailLines: 1 }, () => false))).toBe('2026-01-02T03:04:07.5Z d');
  });

  it('caps the current log by cutting it into current.log.1, and still reads both in order', async () => {
    const dir = fresh();
    const logs = new ContainerLogs(20);
    appendFileSync(currentLogPath(dir), 'one\ntwo\nthree\nfour\nfive\n');
    logs.maintain(dir);
    expect(statSync(currentLogPath(dir)).size).toBe(0);
    appendFileSync(currentLogPath(dir), 'six\n');
    expect(await text(logs.read(dir, {}, () => false))).toBe('one\ntwo\nthree\nfour\nfive\nsix\n');
    expect(await text(logs.read(dir, { tailLines: 2 }, () => false))).toBe('five\nsix\n');
    expect(await text(logs.read(dir, { limitBytes: 6 }, () => false))).toBe('one\ntw');
  });

  it('keeps the previous instance apart from the current one', async () => {
    const dir = fresh();
    const logs = new ContainerLogs(1 << 20);
    appendFileSync(currentLogPath(dir), 'first run\n');
    logs.beginInstance(dir);
    appendFileSync(currentLogPath(dir), 'second run\n');
    expect(await text(logs.read(dir, { previous: true }, () => true))).toBe('first run\n');
    expect(await text(logs.read(dir, {}, () => true))).toBe('second run\n');
  });

  it('returns only what was written within sinceSeconds, to the resolution of its samples', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const dir = fresh();
    const logs = new ContainerLogs(1 << 20);
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    appendFileSync(currentLogPath(dir), 'old\n');
    logs.maintain(dir);
    vi.setSystemTime(new Date('2026-01-01T00:01:00Z'));
    appendFileSync(currentLogPath(dir), 'new\n');
    logs.maintain(dir);
    vi.setSystemTime(new Date('2026-01-01T00:01:10Z'));
    expect(await text(logs.read(dir, { sinceSeconds: 30 }, () => true))).toBe('new\n');
    expect(await text(logs.read(dir, { sinceSeconds: 3600 }, () => true))).toBe('old\nnew\n');
  });

  it('follows new output until the instance ends', async () => {
    const dir = fresh();
    const logs = new ContainerLogs(1 << 20);
    appendFileSync(currentLogPath(dir), 'a\n');
    let running = true;
    const stream = logs.read(dir, { follow: true }, () => running);
    setTimeout(() => {
      appendFileSync(currentLogPath(dir), 'b\n');
      running = false;
    }, 300);
    expect(await text(stream)).toBe('a\nb\n');
  });
});
