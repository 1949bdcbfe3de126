import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM_PACKAGES } from '../../controller/edges/cli/setup/system-packages.js';
import { batonArgv, repoRoot as root } from '../support/baton-cli.js';


/** The README's first command line, as a newcomer copies it. */
const FIRST_LINE = 'npm ci && npx baton setup && npx baton up';

function readmeCommands(): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(readFileSync(join(root, 'README.md'), 'utf8'))![1];
  return block.split('\n').filter(Boolean).map((line) => line.replace(/\s+#.*$/, '').trim());
}

/** The `npx baton …` steps of a command line, as argument lists. */
function batonSteps(line: string): string[][] {
  return line.split('&&').map((s) => s.trim().split(/\s+/)).filter((w) => w[0] === 'npx' && w[1] === 'baton').map((w) => w.slice(2));
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * A PATH like this machine's without redis-server: one directory of links to
 * every program of PATH but it. The sbin directories stay reachable (baton
 * setup adds them), and redis-server lives in /usr/bin.
 */
function pathWithoutRedis(): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-path-'));
  dirs.push(dir);
  for (const from of [dirname(process.execPath), ...(process.env.PATH ?? '').split(':')]) {
    if (!from || !existsSync(from) || /sbin/.test(from)) continue;
    for (const name of readdirSync(from)) {
      if (name === 'redis-server' || existsSync(join(dir, name))) continue;
      symlinkSync(join(from, name), join(dir, name));
    }
  }
  return dir;
}

/** An apt-get that records its arguments and, on install, puts a stub of each package's program in `binDir`. */
function fakeAptGet(binDir: string): { program: string; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'baton-apt-'));
  dirs.push(dir);
  const log = join(dir, 'calls');
  const cases = SYSTEM_PACKAGES.filter((p) => p.commands)
    .map((p) => `    ${p.name}) printf '#!/bin/sh\\nexit 0\\n' > ${binDir}/${p.commands![0]}; chmod +x ${binDir}/${p.commands![0]} ;;`)
    .join('\n');
  const program = join(dir, 'apt-get');
  writeFileSync(program, `#!/bin/sh\necho "$*" >> ${log}\n[ "$1" = install ] || exit 0\nfor p in "$@"; do\n  case "$p" in\n${cases}\n  esac\ndone\n`);
  chmodSync(program, 0o755);
  return { program, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

async function baton(args: string[], env: NodeJS.ProcessEnv, user?: number): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, batonArgv(args), {
    cwd: root,
    env: { HOME: tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user === undefined ? {} : { uid: user, gid: user }),
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err };
}

describe("the README's first line", () => {
  it('is npm ci, then baton setup, then baton up', () => {
    expect(readmeCommands()[0]).toBe(FIRST_LINE);
    expect(batonSteps(FIRST_LINE)).toEqual([['setup'], ['up']]);
  });

  it.runIf(process.getuid?.() === 0)('as root, its setup step installs redis-server when PATH lacks it, and a second run installs nothing', async () => {
    const path = pathWithoutRedis();
    const apt = fakeAptGet(path);
    const [setup] = batonSteps(readmeCommands()[0]);
    const env = { PATH: path, BATON_APT_GET: apt.program };

    const first = await baton(setup, env);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const [update, install] = apt.calls();
    expect(update).toBe('update -qq');
    expect(install).toMatch(/^install -y -qq --no-install-recommends /);
    expect(install.split(' ')).toContain('redis-server');
    expect(first.out).toMatch(/installing .*redis-server.* with apt-get/);
    expect(first.out).toMatch(/installed .*redis-server/);

    const again = await baton(setup, env);
    expect(again.code).toBe(0);
    expect(again.out).toContain('nothing to install');
    expect(apt.calls()).toHaveLength(2);
  });

  it.runIf(process.getuid?.() === 0)('not as root, its setup step installs nothing and names the exact sudo command', async () => {
    const path = pathWithoutRedis();
    const apt = fakeAptGet(path);
    const [setup] = batonSteps(readmeCommands()[0]);
    const result = await baton(setup, { PATH: path, BATON_APT_GET: apt.program }, 65534);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^baton setup: installing .*redis-server.* needs root; run: sudo apt-get update && sudo apt-get install -y --no-install-recommends .*redis-server.*\n$/);
    expect(apt.calls()).toEqual([]);
  });

  it('baton up without redis-server says, in one sentence, the command that fixes it', async () => {
    const state = mkdtempSync(join(tmpdir(), 'baton-state-'));
    dirs.push(state);
    const result = await baton(['up', '--state-dir', state, '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--default-runtime-class', 'process'], { PATH: pathWithoutRedis(), REDIS_URL: '' });
    expect(result.code).toBe(1);
    expect(result.err).toContain('redis-server is not installed: run `npx baton setup`');
    expect(result.err).not.toMatch(/\n\s+at /);
  });
});
