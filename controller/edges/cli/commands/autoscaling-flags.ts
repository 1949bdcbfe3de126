import type { Command } from 'commander';
import { CliError } from '../cli-error.js';

export interface AutoscalingFlags {
  metricResolution?: string;
  hpaSyncPeriod?: string;
}

/** `--metric-resolution` and `--hpa-sync-period`, named after metrics-server's and kube-controller-manager's flags. */
export function addAutoscalingFlags(command: Command): Command {
  return command
    .option('--metric-resolution <duration>', 'how often pod and node CPU/memory are sampled for kubectl top and the HPA, e.g. 15s (default: 15s)')
    .option('--hpa-sync-period <duration>', 'how often each HorizontalPodAutoscaler is evaluated, e.g. 15s (default: 15s)');
}

/** A Go-style duration of one unit (`500ms`, `15s`, `1m`) in milliseconds. */
function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] as 'ms' | 's' | 'm'] : NaN;
  if (!(ms >= 100)) throw new CliError(`baton runtime: ${flag} must be a duration of at least 100ms such as 15s or 1m, got "${text}"`);
  return ms;
}

export function autoscalingOptions(flags: AutoscalingFlags): { metricResolutionMs?: number; hpaSyncPeriodMs?: number } {
  return {
    ...(flags.metricResolution !== undefined ? { metricResolutionMs: parseDuration('--metric-resolution', flags.metricResolution) } : {}),
    ...(flags.hpaSyncPeriod !== undefined ? { hpaSyncPeriodMs: parseDuration('--hpa-sync-period', flags.hpaSyncPeriod) } : {}),
  };
}
