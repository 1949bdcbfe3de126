import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryCgroupDir, workingSetBytes } from '../kubelet/oci/cgroup-files.js';
import { chargedMemoryBytes } from '../kubelet/proc-stat.js';

/** Cumulative CPU time and the current working set of one container or of the node. */
export interface UsageCounter {
  /** CPU time consumed since the container (or the machine) started, in nanoseconds. */
  cpuNanos: number;
  /** Working set in bytes: usage minus inactive file pages, as the kubelet reports it. */
  memoryBytes: number;
}

const CGROUP_ROOT = '/sys/fs/cgroup';
/** USER_HZ: /proc reports CPU times in these ticks; 100 on every Linux ABI node runs on. */
const TICKS_PER_SECOND = 100;
const NANOS_PER_TICK = 1e9 / TICKS_PER_SECOND;
const PAGE_SIZE = 4096;

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * An image container's usage from the cgroup runc made for it (`/baton/<id>`,
 * cgroupfs driver): cgroup v1 `cpuacct.usage`, v2 `cpu.stat` usage_usec;
 * memory as in cgroup-files.ts. Undefined once the cgroup is gone.
 */
export function cgroupUsage(cgroupsPath: string): UsageCounter | undefined {
  const unified = memoryCgroupDir(cgroupsPath) === join(CGROUP_ROOT, cgroupsPath);
  let cpuNanos: number | undefined;
  if (unified) {
    const usec = /^usage_usec (\d+)$/m.exec(readText(join(CGROUP_ROOT, cgroupsPath, 'cpu.stat')) ?? '');
    if (usec) cpuNanos = Number(usec[1]) * 1000;
  } else {
    const text = readText(join(CGROUP_ROOT, 'cpuacct', cgroupsPath, 'cpuacct.usage'));
    if (text !== undefined) cpuNanos = Number(text.trim());
  }
  if (cpuNanos === undefined || Number.isNaN(cpuNanos)) return undefined;
  return { cpuNanos, memoryBytes: workingSetBytes(cgroupsPath) };
}

/**
 * Every live process's CPU time and charged memory, summed per process group:
 * a process pod's container is one group (its wrapper leads it), and the
 * process driver makes no cgroup. CPU counts utime+stime of the live
 * processes plus cutime+cstime (children they already reaped), so a burst of
 * short-lived children is not lost.
 */
export function usageByProcessGroup(): Map<number, UsageCounter> {
  const totals = new Map<number, UsageCounter>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const text = readText(`/proc/${pid}/stat`);
    if (!text) continue;
    // After the parenthesised command name: state (field 3 of proc(5)) first, so field N is at N - 3.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') continue;
    const pgrp = Number(fields[2]);
    // utime, stime, cutime, cstime: fields 14–17.
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    const total = totals.get(pgrp) ?? { cpuNanos: 0, memoryBytes: 0 };
    total.cpuNanos += ticks * NANOS_PER_TICK;
    total.memoryBytes += chargedMemoryBytes(pid, Number(fields[21]) * PAGE_SIZE);
    totals.set(pgrp, total);
  }
  return totals;
}

/** The machine's CPU time in use (all CPUs, idle and iowait excluded) from /proc/stat, and MemTotal − MemAvailable from /proc/meminfo. */
export function nodeUsage(): UsageCounter {
  const cpuLine = (readText('/proc/stat') ?? '').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpuLine;
  const busyTicks = user + nice + system + irq + softirq + steal;
  const meminfo = readText('/proc/meminfo') ?? '';
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(meminfo)?.[1] ?? 0);
  return { cpuNanos: busyTicks * NANOS_PER_TICK, memoryBytes: Math.max(0, kib('MemTotal') - kib('MemAvailable')) * 1024 };
}
