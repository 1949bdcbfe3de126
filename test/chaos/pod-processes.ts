import { readdirSync, readFileSync } from 'node:fs';
import { readProcStat } from '../../runtime/kubelet/proc-stat.js';

/** A live host process that belongs to a pod (the kubelet gives every container POD_NAMESPACE and POD_NAME). */
export interface PodProcess {
  pid: number;
  /** The container's process group: one per running container instance. */
  pgrp: number;
  namespace: string;
  pod: string;
}

/** Scans /proc for live processes whose environment names a pod in one of `namespaces`. */
export function podProcesses(namespaces: ReadonlySet<string>): PodProcess[] {
  const found: PodProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!environ.includes('POD_NAMESPACE=')) continue;
    const vars = new Map<string, string>();
    for (const pair of environ.split('\0')) {
      const eq = pair.indexOf('=');
      if (eq > 0) vars.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const namespace = vars.get('POD_NAMESPACE');
    const pod = vars.get('POD_NAME');
    if (!namespace || !pod || !namespaces.has(namespace)) continue;
    const stat = readProcStat(pid);
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    found.push({ pid, pgrp: stat.pgrp, namespace, pod });
  }
  return found;
}

/** SIGKILLs the process groups of every pod process in `namespaces` (cleanup after a run). */
export function killPodProcesses(namespaces: ReadonlySet<string>): number {
  const groups = new Set(podProcesses(namespaces).map((p) => p.pgrp));
  for (const pgrp of groups) {
    try {
      if (pgrp > 1) process.kill(-pgrp, 'SIGKILL');
    } catch {}
  }
  return groups.size;
}
