import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess;
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, args);
const lines = (text: string) => text.split('\n').filter((l) => l !== '');

/** Prints `<pod>-<n>` every 0.2 s. */
const talker = (name: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: logs, labels: {app: talk}}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: [sh, -c, 'i=0; while true; do echo ${name}-$i; i=$((i+1)); sleep 0.2; done']\n`;

beforeAll(async () => {
  rt = await startRuntimeProcess();
  await k('create', 'namespace', 'logs');
  for (const name of ['one', 'two']) await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], talker(name));
  await kubectlOk(
    rt.kubeconfig,
    ['apply', '-f', '-'],
    "apiVersion: v1\nkind: Pod\nmetadata: {name: crash, namespace: logs}\nspec:\n  containers:\n  - {name: c, image: busybox, command: [sh, -c, 'echo crashed-once; sleep 1; exit 1']}\n",
  );
  await k('wait', '-n', 'logs', '--for=condition=Ready', 'pod/one', 'pod/two', '--timeout=30s');
  // Some seconds of output, so the kubelet has size samples to date lines by.
  const deadline = Date.now() + 20_000;
  while (lines(await k('logs', '-n', 'logs', 'one')).length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

describe('kubectl logs flags', () => {
  it('--timestamps prefixes each line with an RFC 3339 time, in order', async () => {
    const out = lines(await k('logs', '-n', 'logs', 'one', '--timestamps'));
    expect(out.length).toBeGreaterThan(5);
    const times: number[] = [];
    for (const line of out) {
      const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) one-\d+$/.exec(line);
      expect(m, line).not.toBeNull();
      times.push(Date.parse(m![1]!));
    }
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(Date.now() - times[0]!).toBeLessThan(120_000);
  });

  it('--tail keeps the last lines, --since and --since-time only recent ones', async () => {
    const all = lines(await k('logs', '-n', 'logs', 'one'));
    const tail = lines(await k('logs', '-n', 'logs', 'one', '--tail=3'));
    expect(tail).toHaveLength(3);
    expect(Number(tail[2]!.split('-')[1])).toBeGreaterThanOrEqual(Number(all[all.length - 1]!.split('-')[1]));
    const recent = lines(await k('logs', '-n', 'logs', 'one', '--since=1s'));
    expect(recent.length).toBeLessThan(all.length);
    expect(Number(recent[0]!.split('-')[1])).toBeGreaterThan(Number(all[0]!.split('-')[1]));
    const since = new Date(Date.now() - 2_000).toISOString();
    const fromTime = lines(await k('logs', '-n', 'logs', 'one', `--since-time=${since}`));
    expect(fromTime.length).toBeLessThan(lines(await k('logs', '-n', 'logs', 'one')).length);
    const both = await kubectl(rt.kubeconfig, ['logs', '-n', 'logs', 'one', '--since=1s', `--since-time=${since}`]);
    expect(both.code).not.toBe(0);
  });

  it('-l gets every matching pod\'s log (kubectl lists, then reads each), with --prefix', async () => {
    const out = lines(await k('logs', '-n', 'logs', '-l', 'app=talk', '--prefix', '--tail=2'));
    expect(out.filter((l) => l.startsWith('[pod/one/c] one-'))).toHaveLength(2);
    expect(out.filter((l) => l.startsWith('[pod/two/c] two-'))).toHaveLength(2);
  });

  it('--previous reads the instance before a restart, with --timestamps too', async () => {
    const deadline = Date.now() + 30_000;
    while ((await k('get', 'pod', 'crash', '-n', 'logs', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}')) === '0' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(lines(await k('logs', '-n', 'logs', 'crash', '--previous'))).toEqual(['crashed-once']);
    expect(lines(await k('logs', '-n', 'logs', 'crash', '--previous', '--timestamps'))[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z crashed-once$/);
  });

  it('-f --timestamps streams stamped lines as they come', async () => {
    const r = await kubectl(rt.kubeconfig, ['logs', '-n', 'logs', 'two', '-f', '--timestamps', '--tail=1', '--request-timeout=2s']);
    const out = lines(r.stdout);
    expect(out.length).toBeGreaterThan(2);
    for (const line of out) expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z two-\d+$/);
  });
});
