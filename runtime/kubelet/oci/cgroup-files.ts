import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';

/** True on a pure cgroup v2 host; hybrid hosts (v1 controllers, v2 for systemd only) count as v1. */
function unified(): boolean {
  return existsSync(join(ROOT, 'cgroup.controllers'));
}

/** Directory holding the memory controller's files of a runc `cgroupsPath` (cgroupfs driver). */
export function memoryCgroupDir(cgroupsPath: string): string {
  return unified() ? join(ROOT, cgroupsPath) : join(ROOT, 'memory', cgroupsPath);
}

function readStat(file: string): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [key, value] = line.split(' ');
      if (key && value !== undefined) out.set(key, Number(value));
    }
  } catch {
    // Gone: the container was removed.
  }
  return out;
}

/** The working set as the kubelet reports it: usage minus inactive file pages; 0 when the cgroup is gone. */
export function workingSetBytes(cgroupsPath: string): number {
  const dir = memoryCgroupDir(cgroupsPath);
  const v2 = unified();
  let usage: number;
  try {
    usage = Number(readFileSync(join(dir, v2 ? 'memory.current' : 'memory.usage_in_bytes'), 'utf8').trim());
  } catch {
    return 0;
  }
  const stat = readStat(join(dir, 'memory.stat'));
  const inactive = (v2 ? stat.get('inactive_file') : stat.get('total_inactive_file')) ?? 0;
  return Math.max(0, usage - inactive);
}

/** How many times the kernel's OOM killer acted in the cgroup (v1 `memory.oom_control`, v2 `memory.events`). */
export function oomKills(cgroupsPath: string): number {
  const dir = memoryCgroupDir(cgroupsPath);
  const stat = readStat(join(dir, unified() ? 'memory.events' : 'memory.oom_control'));
  return stat.get('oom_kill') ?? 0;
}
