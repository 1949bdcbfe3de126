/** Caps that keep one hostile or broken repository from exhausting the controller. */
export interface RenderLimits {
  /** Largest single input file (template, manifest, values file, Files.get target). @defaultValue 8 MiB */
  maxFileBytes: number;
  /** Sum of all input files read for one render. @defaultValue 64 MiB */
  maxInputBytes: number;
  /** Sum of all rendered template output (and of any one helper's result). @defaultValue 16 MiB */
  maxOutputBytes: number;
  /** Files read for one render. @defaultValue 10000 */
  maxFiles: number;
  /** Template loop iterations, partial calls and helper calls of one render. @defaultValue 2000000 */
  maxTemplateSteps: number;
}

export const defaultLimits: RenderLimits = {
  maxFileBytes: 8 * 1024 * 1024,
  maxInputBytes: 64 * 1024 * 1024,
  maxOutputBytes: 16 * 1024 * 1024,
  maxFiles: 10_000,
  maxTemplateSteps: 2_000_000,
};

export function withDefaults(limits: Partial<RenderLimits> | undefined): RenderLimits {
  return { ...defaultLimits, ...limits };
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
