import { readFileSync } from 'node:fs';

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat's first line. */
function machineJiffies(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  // idle and iowait are the time no core had work.
  return { busy: total - fields[3] - fields[4], total };
}

/** The machine's CPU utilisation, sampled every `intervalMs`: where wall time is spent not computing, something serialises. */
export function sampleCpuBusy(intervalMs = 100) {
  const samples: number[] = [];
  let last = machineJiffies();
  const timer = setInterval(() => {
    const now = machineJiffies();
    const total = now.total - last.total;
    if (total > 0) samples.push((now.busy - last.busy) / total);
    last = now;
  }, intervalMs);
  return {
    /** Stops sampling; the mean busy fraction, the share of samples under half busy, and one mean per second. */
    stop() {
      clearInterval(timer);
      const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
      const perSecond: number[] = [];
      const per = Math.max(1, Math.round(1000 / intervalMs));
      for (let i = 0; i < samples.length; i += per) perSecond.push(mean(samples.slice(i, i + per)));
      return { mean: mean(samples), underHalf: samples.filter((s) => s < 0.5).length / Math.max(1, samples.length), perSecond };
    },
  };
}
