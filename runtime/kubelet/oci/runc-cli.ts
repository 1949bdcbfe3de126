import { execFile } from 'node:child_process';

export interface RuncResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `runc --root <root> …`; never throws for a non-zero exit (callers decide). */
export function runc(root: string, args: string[], timeoutMs = 30_000): Promise<RuncResult> {
  return new Promise((resolve) => {
    execFile('runc', ['--root', root, ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (err && !stderr ? err.message : '')) });
    });
  });
}

export interface RuncContainer {
  id: string;
  pid: number;
  status: string;
  bundle: string;
}

/** Containers runc knows under `root` (running, created or stopped). */
export async function runcList(root: string): Promise<RuncContainer[]> {
  const result = await runc(root, ['list', '--format', 'json']);
  if (result.code !== 0) return [];
  const parsed = JSON.parse(result.stdout.trim() || 'null') as RuncContainer[] | null;
  return parsed ?? [];
}
