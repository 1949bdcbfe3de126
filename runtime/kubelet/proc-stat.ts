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

/** Resident memory of every live process, summed per process group. */
export function rssByProcessGroup(): Map<number, number> {
  const totals = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (!stat || stat.state === 'Z') continue;
    totals.set(stat.pgrp, (totals.get(stat.pgrp) ?? 0) + stat.rssBytes);
  }
  return totals;
}

let cached: { at: number; totals: Map<number, number> } | undefined;

/** rssByProcessGroup, shared for `maxAgeMs` so that many pods with memory limits cost one /proc scan. */
export function recentRssByProcessGroup(maxAgeMs: number): Map<number, number> {
  const now = Date.now();
  if (!cached || now - cached.at > maxAgeMs) cached = { at: now, totals: rssByProcessGroup() };
  return cached.totals;
}
