import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Asks `URL` every 20 ms, on a new connection each time (as a new client would), while told to
 * expect a body; prints `<body> <epoch ms>` when it first gets it.
 */
const CHILD = `
const http = require('node:http');
const url = new URL(process.argv[1]);
let wanted;
const ask = () => {
  if (wanted === undefined) return;
  const req = http.get(url, { agent: false, timeout: 1000 }, (res) => {
    let body = '';
    res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => {
      if (body === wanted) {
        process.stdout.write(body + ' ' + (performance.timeOrigin + performance.now()) + '\\n');
        wanted = undefined;
      } else setTimeout(ask, 20);
    });
  });
  req.on('timeout', () => req.destroy()).on('error', () => setTimeout(ask, 20));
};
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  wanted = line;
  ask();
});
`;

export interface VersionWatcher {
  /** Resolves with the time (epoch ms, sub-millisecond) the URL first answered `body`. */
  expect(body: string): Promise<number>;
  stop(): void;
}

/**
 * The client of commit → serving in a process of its own, as a user's is: polling from the
 * bench's process would spend the CPU of the controller and runtime it measures.
 */
export function startVersionWatcher(url: string): VersionWatcher {
  const child = spawn(process.execPath, ['-e', CHILD, url], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map<string, (at: number) => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [body, at] = line.split(' ');
    waiting.get(body!)?.(Number(at));
    waiting.delete(body!);
  });
  return {
    expect(body) {
      const seen = new Promise<number>((resolve) => waiting.set(body, resolve));
      child.stdin.write(`${body}\n`);
      return seen;
    },
    stop() {
      child.kill('SIGKILL');
    },
  };
}
