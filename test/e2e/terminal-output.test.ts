import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { batonArgv, repoRoot as root } from '../support/baton-cli.js';
import { sleep } from '../support/wait.js';


let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('baton up on a terminal', () => {
  it('writes lines a person reads: no JSON records, no runtime warnings', async () => {
    // Short: the Redis socket path must stay under 108 bytes.
    dir = await mkdtemp('/tmp/baton-tty-');
    const command = [process.execPath, ...batonArgv(['up', '--state-dir', dir, '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--default-runtime-class', 'process', '--stop-pods'])]
      .map(quote)
      .join(' ');
    // script(1) gives baton a pseudo-terminal, as a person's shell would; Ctrl-C typed into it stops baton.
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: root, env: { ...process.env, REDIS_URL: '', TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = once(child, 'exit');
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (text += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (text += c));
    const waitFor = async (what: string, seen: () => boolean, timeoutMs: number) => {
      for (const deadline = Date.now() + timeoutMs; !seen(); await sleep(200)) {
        if (child.exitCode !== null) throw new Error(`baton up exited before ${what}:\n${text}`);
        if (Date.now() > deadline) throw new Error(`baton up did not show ${what} in ${timeoutMs} ms:\n${text}`);
      }
    };
    try {
      await waitFor('that it is up', () => text.includes('baton is up'), 120_000);
      // The first syncs (apply, then prune's parallel lists) are where a warning used to appear.
      await waitFor('three apps applied', () => (text.match(/applying [0-9a-f]{7}/g) ?? []).length >= 3, 120_000);
      await sleep(3_000);
    } finally {
      child.stdin.write('\u0003');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    }
    expect(text).not.toContain('{"level"');
    expect(text).not.toContain('redis-server exited');
    expect(text).not.toContain('Warning');
    // Human lines: time, level, app, message.
    // eslint-disable-next-line no-control-regex
    expect(text.replace(/\u001b\[[0-9;]*m/g, '')).toMatch(/\d\d:\d\d:\d\d {2}INFO {3}[a-z-]+ {2}applying [0-9a-f]{7}/);
  });
});
