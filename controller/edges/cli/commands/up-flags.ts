import { CliError } from '../cli-error.js';

export function parsePort(flag: string, text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`baton up: ${flag} must be a number from 0 to 65535 (0: any free port), got "${text}"`);
  return port;
}

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** `30s`, `1m`, `500ms`, `1.5s`, `7d` or a plain number of seconds, as seconds. */
export function parseInterval(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const seconds = m ? Number(m[1]) * UNITS[m[2] ?? 's'] : NaN;
  if (!(seconds > 0)) throw new CliError(`baton up: ${flag} must be a duration such as 30s, 1m or 500ms, got "${text}"`);
  return seconds;
}

/** A whole number of at least 1. */
export function parseCount(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`baton up: ${flag} must be a whole number of at least 1, got "${text}"`);
  return n;
}

/** `--pull-requests github:acme/shop` (GitLab: `gitlab:group/sub/project`); the provider's token must be set. */
export function parsePullRequestsFlag(text: string, env: NodeJS.ProcessEnv = process.env): { provider: 'github' | 'gitlab'; repoPath: string } {
  const m = /^(github|gitlab):([^/\s:]+(?:\/[^/\s:]+)+)$/.exec(text.trim());
  if (!m) throw new CliError(`baton up: --pull-requests must be github:OWNER/REPO or gitlab:GROUP/PROJECT, got "${text}"`);
  const provider = m[1] as 'github' | 'gitlab';
  const variable = provider === 'github' ? 'BATON_GITHUB_TOKEN' : 'BATON_GITLAB_TOKEN';
  if (!env[variable]) throw new CliError(`baton up: --pull-requests ${provider}:… needs an API token in ${variable}`);
  return { provider, repoPath: m[2] };
}

/** A yes/no flag given a value (`--readers-see-logs=false`): true/false, yes/no, on/off, 1/0. */
export function parseBoolean(flag: string, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(t)) return true;
  if (['false', 'no', 'off', '0'].includes(t)) return false;
  throw new CliError(`baton up: ${flag} must be true or false, got "${text}"`);
}
