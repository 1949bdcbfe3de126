import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** One letter: R, S, D, Z (zombie), T, … */
  state: string;
  pgrp: number;
  /** Clock ticks since boot at which the process started: with the pid, a process's identity. */
  startTime: string;
  rssBytes: number;
}

const PAGE_SIZE = 4096;

/** Reads /proc/<pid>/stat; undefined when the process is gone. */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseProcStat(pid, text);
}

function parseProcStat(pid: number, text: string): ProcStat {
  // The command name is in parentheses and may itself contain spaces or ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: fields[0],
    pgrp: Number(fields[2]),
    startTime: fields[19],
    rssBytes: Number(fields[21]) * PAGE_SIZE,
  };
}

/** True when `pid` is alive (not a zombie) and is the same process that started at `startTime`. */
export function isSameLiveProcess(pid: number, startTime: string): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X' && stat.startTime === startTime;
}

/**
 * Resident memory a cgroup would charge to a process: its resident pages
 * minus the file-backed ones it shares (from /proc/<pid>/statm). The program's
 * own binary and libraries (some 40 MB for node, shared by every pod running
 * it) are page cache, charged once to the machine, not to each container.
 * Falls back to `fallbackBytes` (the whole RSS) when statm cannot be read.
 */
export function chargedMemoryBytes(pid: number, fallbackBytes: number): number {
  try {
    const [, resident, shared] = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ').map(Number);
    return Math.max(0, resident - shared) * PAGE_SIZE;
  } catch {
    return fallbackBytes;
  }
}

/** Memory charged to every live process (see chargedMemoryBytes), summed per process group. */
export function memoryByProcessGroup(): Map<number, number> {
  const totals = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (!stat || stat.state === 'Z') continue;
    totals.set(stat.pgrp, (totals.get(stat.pgrp) ?? 0) + chargedMemoryBytes(stat.pid, stat.rssBytes));
  }
  return totals;
}

/** The former name of memoryByProcessGroup, still imported by process-driver.ts. */
export const rssByProcessGroup = memoryByProcessGroup;

let cached: { at: number; totals: Map<number, number> } | undefined;

/** memoryByProcessGroup, shared for `maxAgeMs` so that many pods with memory limits cost one /proc scan. */
export function recentMemoryByProcessGroup(maxAgeMs: number): Map<number, number> {
  const now = Date.now();
  if (!cached || now - cached.at > maxAgeMs) cached = { at: now, totals: memoryByProcessGroup() };
  return cached.totals;
}
