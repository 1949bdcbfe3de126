import { execFile, spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { execProcessOf, type ExecProcess } from './exec-process.js';

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The first child of `pid` (the program `script` runs on its terminal), if it exists yet. */
function childOf(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a helper (`runc exec --tty`, the process driver's `nsenter`) on a
 * pseudo-terminal of its own, made by util-linux `script`: runc wants a host
 * terminal to relay to the container's, and node has none to give. Resizing
 * sets the size of that terminal (runc passes the SIGWINCH on).
 */
export function spawnOnTerminal(argv: string[], options: { env?: NodeJS.ProcessEnv; fd3?: number } = {}): ExecProcess {
  const command = `exec ${argv.map(shellQuote).join(' ')}`;
  // script keeps inherited descriptors open, so a helper's fd 3 (the process driver's environment) gets through.
  const child = spawn('script', ['--quiet', '--return', '--flush', '--command', command, '/dev/null'], {
    env: { ...(options.env ?? process.env), SHELL: '/bin/sh' },
    stdio: options.fd3 === undefined ? ['pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', options.fd3],
  });
  const exec = execProcessOf(child);
  let wanted: { columns: number; rows: number } | undefined;
  let applying = false;
  const apply = async () => {
    if (applying) return;
    applying = true;
    // Right after start the helper may not be running on the terminal yet.
    for (let tries = 0; wanted && tries < 50 && child.exitCode === null; tries++) {
      const helper = child.pid ? childOf(child.pid) : undefined;
      let terminal: string | undefined;
      try {
        terminal = helper ? readlinkSync(`/proc/${helper}/fd/0`) : undefined;
      } catch {
        terminal = undefined;
      }
      if (terminal?.startsWith('/dev/pts/')) {
        const { columns, rows } = wanted;
        wanted = undefined;
        await new Promise((done) => execFile('stty', ['-F', terminal, 'rows', String(rows), 'cols', String(columns)], done));
        continue;
      }
      await new Promise((r) => setTimeout(r, 40));
    }
    applying = false;
  };
  exec.resize = (columns, rows) => {
    wanted = { columns, rows };
    void apply();
  };
  return exec;
}
