import { launcher } from '../../launcher/index.js';

export interface RuncResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `runc --root <root> …`; never throws for a non-zero exit (callers decide). */
export async function runc(root: string, args: string[], timeoutMs = 30_000): Promise<RuncResult> {
  const result = await launcher().run('runc', ['--root', root, ...args], { timeoutMs });
  return { code: result.code, stdout: result.stdout, stderr: result.timedOut ? `runc ${args[0]} timed out after ${timeoutMs} ms` : result.stderr };
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
