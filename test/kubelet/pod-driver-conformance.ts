import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverError, type ContainerHandle, type ContainerLaunch, type PodDriver } from '../../runtime/kubelet/index.js';
import { waitFor } from '../support/wait.js';

/** The behaviour every pod driver owes the kubelet; run it with a factory for each driver. */
export function describePodDriverConformance(name: string, makeDriver: () => PodDriver): void {
  describe(`pod driver conformance: ${name}`, () => {
    let driver: PodDriver;
    let dir: string;
    const started: ContainerHandle[] = [];
    let n = 0;
    const launch = (argv: string[], extra: Partial<ContainerLaunch> = {}): ContainerLaunch => {
      const c = `c${++n}`;
      return { podUid: 'uid-1', containerName: c, argv, env: {}, workingDir: '', mounts: [], logPath: join(dir, c, 'current.log'), exitPath: join(dir, c, 'exit-code'), ...extra };
    };
    const start = async (l: ContainerLaunch): Promise<ContainerHandle> => {
      const handle = await driver.start(l);
      started.push(handle);
      return handle;
    };

    beforeAll(async () => {
      driver = makeDriver();
      dir = await mkdtemp(join(tmpdir(), 'baton-driver-'));
    });
    afterAll(async () => {
      for (const h of started) driver.signal(h, 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    });

    it('runs the command with its env and working dir, output to the log file, and records the exit code', async () => {
      const l = launch(['sh', '-c', 'echo "$GREETING from $(pwd)"; exit 7'], { env: { GREETING: 'hi' }, workingDir: '/tmp' });
      const handle = await start(l);
      await waitFor('exit', () => !driver.isAlive(handle), { timeoutMs: 10_000 });
      expect(driver.exitCode(handle)).toBe(7);
      expect(await readFile(l.logPath, 'utf8')).toBe('hi from /tmp\n');
    });

    it('delivers SIGTERM to the container (exit 143 by default) and SIGKILL leaves no recorded exit code', async () => {
      const l = launch(['sh', '-c', 'echo up; exec sleep 600']);
      const termed = await start(l);
      expect(driver.isAlive(termed)).toBe(true);
      await waitFor('the container to be up', () => existsSync(l.logPath) && readFileSync(l.logPath, 'utf8') === 'up\n', { timeoutMs: 10_000 });
      driver.signal(termed, 'SIGTERM');
      await waitFor('SIGTERM exit', () => !driver.isAlive(termed), { timeoutMs: 10_000 });
      expect(driver.exitCode(termed)).toBe(143);
      const killed = await start(launch(['sleep', '600']));
      driver.signal(killed, 'SIGKILL');
      await waitFor('SIGKILL exit', () => !driver.isAlive(killed), { timeoutMs: 10_000 });
      expect(driver.exitCode(killed)).toBeUndefined();
    });

    it('recognises its container from a persisted handle, and not a different process behind a reused pid', async () => {
      const handle = await start(launch(['sleep', '600']));
      const persisted: ContainerHandle = JSON.parse(JSON.stringify(handle));
      expect(driver.isAlive(persisted)).toBe(true);
      expect(driver.isAlive({ ...persisted, procStart: '1' })).toBe(false);
      // start returns at the fork: the container's memory counts once it leads its own process group.
      await waitFor('its memory to be counted', () => driver.memoryUsage(persisted) > 0, { timeoutMs: 10_000 });
      const result = await driver.exec(persisted, { env: { X: 'y' }, workingDir: '' }, ['sh', '-c', 'echo "$X"; exit 4'], 5000);
      expect(result).toEqual({ exitCode: 4, output: 'y\n' });
    });

    it('streams an exec: stdin in, stdout and stderr apart, the exit code after the output; or on a terminal', async () => {
      if (!driver.execStream) return;
      const handle = await start(launch(['sleep', '600']));
      await waitFor('the container to run', () => driver.isAlive(handle), { timeoutMs: 10_000 });
      const exec = await driver.execStream(handle, { env: { X: 'y' }, workingDir: '' }, ['sh', '-c', 'cat; echo "$X" >&2; exit 3'], { stdin: true });
      const read = (s: NodeJS.ReadableStream) => new Promise<string>((resolve) => {
        let text = '';
        s.on('data', (d: Buffer) => (text += d.toString()));
        s.on('end', () => resolve(text));
      });
      const [out, err] = [read(exec.stdout), read(exec.stderr)];
      exec.stdin!.end('round trip\n');
      expect(await exec.exited).toBe(3);
      expect(await out).toBe('round trip\n');
      expect(await err).toBe('y\n');
      const onTerminal = await driver.execStream(handle, { env: {}, workingDir: '' }, ['sh', '-c', 'test -t 0 && test -t 1 && echo on-a-terminal; exit 5'], { stdin: true, tty: true });
      const terminalOut = read(onTerminal.stdout);
      expect(await onTerminal.exited).toBe(5);
      expect(await terminalOut).toContain('on-a-terminal');
      driver.signal(handle, 'SIGKILL');
      await waitFor('SIGKILL exit', () => !driver.isAlive(handle), { timeoutMs: 10_000 });
      await expect(driver.execStream(handle, { env: {}, workingDir: '' }, ['true'], { stdin: false })).rejects.toBeInstanceOf(DriverError);
    });

    it('refuses a container without command with CreateContainerConfigError', async () => {
      await expect(driver.start(launch([]))).rejects.toSatisfy((e: unknown) => e instanceof DriverError && e.reason === 'CreateContainerConfigError');
    });
  });
}
