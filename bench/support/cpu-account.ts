import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** CPU of one process from /proc/<pid>/stat, in clock ticks (10 ms). */
interface ProcessCpu {
  ppid: number;
  /** Its own user + system time. */
  own: number;
  /** Its reaped children's user + system time (cutime + cstime). */
  reaped: number;
}

const TICK_MS = 10;

/** Every process's CPU by `pid:starttime` (a pid reused meanwhile is another process). */
function processes(): Map<string, ProcessCpu & { pid: number }> {
  const all = new Map<string, ProcessCpu & { pid: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the command: state ppid … utime(11) stime(12) cutime(13) cstime(14) … starttime(19).
      all.set(`${name}:${f[19]}`, { pid: Number(name), ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) });
    } catch {
      // It ended meanwhile.
    }
  }
  return all;
}

/** The machine's busy ticks on all cores by kind (/proc/stat's first line), and how many processes it has forked since boot. */
function machine(): { user: number; system: number; irq: number; other: number; forks: number } {
  const stat = readFileSync('/proc/stat', 'utf8');
  const [user, nice, system, , , irq, softirq, steal] = stat.split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  return { user: user + nice, system, irq: irq + softirq, other: steal, forks: Number(/^processes (\d+)$/m.exec(stat)?.[1] ?? 0) };
}

export interface CpuAccount {
  /** Busy CPU of the whole machine, ms (all cores). */
  machineMs: number;
  /** Of which the kernel handled interrupts and softirqs (the network's receive path runs there). */
  irqMs: number;
  /** This process (the runtime, in-process): all its threads. */
  selfMs: number;
  /** This process's children that ended and it reaped (ip, nft, mount, short helpers). */
  reapedBySelfMs: number;
  /** Processes below this one still running at the end (launcher shells, each pod's sandbox chain and program), with what they reaped. */
  descendantsMs: number;
  descendants: number;
  /** Kernel threads (kworkers, ksoftirqd, RCU). */
  kernelThreadsMs: number;
  /** Everything else on the machine. */
  othersMs: number;
  /** Processes forked on the whole machine meanwhile. */
  forks: number;
}

/**
 * Where the machine's CPU goes between start() and stop(), by who used it:
 * this process, its descendants (counted with whatever they reaped), kernel
 * threads, and the rest. What is left of the machine's busy time after these
 * is CPU no process's account shows: processes that ended and were reaped by
 * a parent that ignores SIGCHLD (busybox httpd's per-connection children),
 * and kernel work done on no process's behalf.
 */
export function accountCpu() {
  const before = processes();
  const m0 = machine();
  return {
    stop(): CpuAccount {
      const after = processes();
      const m1 = machine();
      const delta = (key: string, p: ProcessCpu) => {
        const was = before.get(key);
        return { own: p.own - (was?.own ?? 0), reaped: p.reaped - (was?.reaped ?? 0) };
      };
      const children = new Map<number, number[]>();
      for (const p of after.values()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
      const below = new Set<number>();
      const stack = [...(children.get(process.pid) ?? [])];
      while (stack.length > 0) {
        const pid = stack.pop()!;
        below.add(pid);
        stack.push(...(children.get(pid) ?? []));
      }
      const account = { selfMs: 0, reapedBySelfMs: 0, descendantsMs: 0, descendants: 0, kernelThreadsMs: 0, othersMs: 0 };
      for (const [key, p] of after) {
        const d = delta(key, p);
        if (p.pid === process.pid) {
          account.selfMs += d.own * TICK_MS;
          account.reapedBySelfMs += d.reaped * TICK_MS;
        } else if (below.has(p.pid)) {
          account.descendantsMs += (d.own + d.reaped) * TICK_MS;
          account.descendants++;
        } else if (p.pid === 2 || p.ppid === 2) account.kernelThreadsMs += d.own * TICK_MS;
        else account.othersMs += (d.own + d.reaped) * TICK_MS;
      }
      const busy = (x: ReturnType<typeof machine>) => x.user + x.system + x.irq + x.other;
      return { machineMs: (busy(m1) - busy(m0)) * TICK_MS, irqMs: (m1.irq - m0.irq) * TICK_MS, ...account, forks: m1.forks - m0.forks };
    },
  };
}

/**
 * The CPU one process spawn costs: a dash loop runs `<busybox> true` `count`
 * times, each a fork, an exec of a static binary and an exit, which is what a
 * pod's sandbox chain is made of; the shell's `times` says what its children
 * used (the loop's own forks are dash's, counted too). What a spawn costs
 * differs by an order of magnitude between machines: a virtual machine's
 * page-table handling dominates it.
 */
export function spawnCostMs(busybox: string, count = 500): number {
  const loop = `i=0; while [ $i -lt ${count} ]; do "$0" true; i=$((i+1)); done; times`;
  const done = spawnSync('/bin/sh', ['-c', loop, busybox], { encoding: 'utf8' });
  // dash: the shell's user and system time, then its children's: `0m0.004s 0m0.000s\n0m0.962s 0m0.271s`.
  const seconds = [...(done.stdout ?? '').matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (done.status !== 0 || seconds.length !== 4) throw new Error(`a loop of ${busybox} true failed (status ${done.status}): ${done.stdout}${done.stderr}`);
  return ((seconds[0]! + seconds[1]! + seconds[2]! + seconds[3]!) * 1000) / count;
}
