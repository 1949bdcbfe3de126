import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProcStat } from '../../runtime/kubelet/proc-stat.js';
import { batonArgv, repoRoot } from '../support/baton-cli.js';

/** A `baton runtime` child process on a free port with its own state dir. */
export interface RuntimeProcess {
  stateDir: string;
  url: string;
  kubeconfig: string;
  token: string;
  ca: string;
  child: ChildProcess;
  /** SIGTERM and wait for a clean exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
}

/**
 * Starts `baton runtime` (batonArgv: the build when it is fresh, else the
 * source through tsx) and waits for it to print the kubeconfig path.
 * `nodeArgs` are the node's flags (default: host-program pods, so no pod
 * network is made).
 */
export async function startRuntimeProcess(stateDir?: string, nodeArgs: string[] = ['--default-runtime-class', 'process']): Promise<RuntimeProcess> {
  const dir = stateDir ?? (await mkdtemp(join(tmpdir(), 'baton-rt-')));
  const child = spawn(process.execPath, batonArgv(['runtime', '--state-dir', dir, '--port', '0', ...nodeArgs]), {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = await new Promise<string>((done, fail) => {
    // A runtime that did not start in time is stopped, not left running after the test.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`runtime did not start in time:\n${out}\n${err}`));
    }, 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /Kubernetes API at (\S+)[\s\S]*kubeconfig: /.exec(out);
      if (m) {
        clearTimeout(timer);
        done(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`runtime exited with ${code} before starting:\n${out}\n${err}`));
    });
  }).catch(async (error: unknown) => {
    // A state dir made here goes with the runtime that never started.
    if (!stateDir) {
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
    throw error;
  });
  const token = (await readFile(join(dir, 'runtime-token'), 'utf8')).trim();
  const ca = await readFile(join(dir, 'runtime-tls.crt'), 'utf8');
  return {
    stateDir: dir,
    url,
    kubeconfig: join(dir, 'kubeconfig'),
    token,
    ca,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Removes a runtime's state dir after SIGKILLing the pods it left running:
 * pods outlive `baton runtime` on purpose (the next start adopts them), so a
 * test that only stops the runtime would leave them behind.
 */
export async function removeDir(dir: string): Promise<void> {
  killPodsOf(dir);
  await rm(dir, { recursive: true, force: true });
}

/** SIGKILLs the process group of every container whose wrapper names a pod directory under `dir`. */
export function killPodsOf(dir: string): number {
  const needle = `${dir}/node/pods/`;
  const groups = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
    } catch {
      continue;
    }
    const pgrp = cmdline.includes(needle) ? readProcStat(Number(entry))?.pgrp : undefined;
    if (pgrp !== undefined && pgrp > 1) groups.add(pgrp);
  }
  for (const pgrp of groups) {
    try {
      process.kill(-pgrp, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  return groups.size;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real kubectl with only KUBECONFIG set: no extra flags. */
export function kubectl(kubeconfig: string, args: string[], input?: string): Promise<CommandResult> {
  return new Promise((done) => {
    const child = execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** kubectl that must succeed; returns stdout. */
export async function kubectlOk(kubeconfig: string, args: string[], input?: string): Promise<string> {
  const r = await kubectl(kubeconfig, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

/** A raw HTTPS request to the runtime, trusting its self-signed certificate. */
export function apiRequest(
  rt: Pick<RuntimeProcess, 'url' | 'token' | 'ca'>,
  method: string,
  path: string,
  options: { body?: string | Buffer; contentType?: string; token?: string | null; accept?: string } = {},
): Promise<ApiResponse> {
  const url = new URL(path, rt.url);
  const headers: Record<string, string> = {};
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? rt.token}`;
  if (options.contentType) headers['content-type'] = options.contentType;
  if (options.accept) headers.accept = options.accept;
  // Node sends DELETE bodies without framing unless told the length.
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise((done, fail) => {
    const req = request(url, { method, headers, ca: rt.ca }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }));
    });
    req.on('error', fail);
    req.end(options.body);
  });
}
