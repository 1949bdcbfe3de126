import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess;
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, args);

beforeAll(async () => {
  rt = await startRuntimeProcess();
  await k('create', 'namespace', 'att');
  await kubectlOk(
    rt.kubeconfig,
    ['apply', '-f', '-'],
    'apiVersion: v1\nkind: Pod\nmetadata: {name: echo, namespace: att}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - {name: c, image: busybox, command: [cat], stdin: true}\n  - {name: mute, image: busybox, command: [sleep, "600"]}\n',
  );
  await k('wait', '-n', 'att', '--for=condition=Ready', 'pod/echo', '--timeout=30s');
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

/** `kubectl attach -i` fed `input`, until its output contains `wanted` (then it is stopped: attach lasts as long as the container). */
function attachUntil(args: string[], input: string, wanted: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn('kubectl', ['attach', '-i', ...args], { env: { ...process.env, KUBECONFIG: rt.kubeconfig } });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      fail(new Error(`no ${JSON.stringify(wanted)} from kubectl attach:\n${out}\n${err}`));
    }, 20_000);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes(wanted)) {
        clearTimeout(timer);
        child.kill();
        done(out);
      }
    });
    // After kubectl says it is attached, so the line is not written before the output is followed.
    child.stderr.once('data', () => setTimeout(() => child.stdin.write(input), 500));
  });
}

describe('kubectl attach -i', () => {
  it('round-trips a line through cat reading the container\'s stdin, twice (stdin stays open between attaches)', async () => {
    expect(await attachUntil(['-n', 'att', 'echo', '-c', 'c'], 'hello through stdin\n', 'hello through stdin')).toContain('hello through stdin');
    expect(await attachUntil(['-n', 'att', 'echo', '-c', 'c'], 'and again\n', 'and again')).toContain('and again');
    expect(await k('get', 'pod', 'echo', '-n', 'att', '-o', 'jsonpath={.status.containerStatuses[?(@.name=="c")].restartCount}')).toBe('0');
  });

  it('refuses stdin for a container without stdin: true, in words saying so', async () => {
    const r = await kubectl(rt.kubeconfig, ['attach', '-i', '-n', 'att', 'echo', '-c', 'mute'], '');
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/stdin/);
  });
});
