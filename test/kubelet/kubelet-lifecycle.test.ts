import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountNamespaceSupport } from '../../runtime/kubelet/index.js';
import type { WatchEvent } from '../../runtime/kube/object.js';
import { resources } from '../../runtime/resources/registry.js';
import { HTTP_SERVER, NODE, isReady, sharingHostDir, startHarness, type Harness } from './kubelet-harness.js';

describe('kubelet: termination, logs and probes', () => {
  let h: Harness;
  let scratch: string;
  beforeAll(async () => {
    h = await startHarness();
    scratch = mkdtempSync(join(tmpdir(), 'baton-kubelet-scratch-'));
  });
  afterAll(async () => {
    await h?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('on delete: reports not Ready, runs preStop, then SIGTERM, then removes the pod', async () => {
    const trail = join(scratch, 'trail');
    // Made by the test, so it must be writable for the pod's user (nobody).
    writeFileSync(trail, '');
    chmodSync(trail, 0o666);
    await h.createPod('graceful', sharingHostDir(scratch, {
      containers: [{
        name: 'app',
        command: [NODE, '-e', `process.on('SIGTERM', () => { require('fs').appendFileSync(process.env.TRAIL, 'sigterm\\n'); process.exit(0); }); require('fs').appendFileSync(process.env.TRAIL, 'started\\n'); setInterval(() => {}, 1000);`],
        env: [{ name: 'TRAIL', value: trail }],
        lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo prestop >> "$TRAIL"'] } } },
      }],
    }));
    await h.waitForPod('graceful', 'Ready', isReady);
    // Ready comes with the process start; on a loaded machine node may not have its SIGTERM handler yet.
    for (let i = 0; i < 300 && !readFileSync(trail, { encoding: 'utf8', flag: 'a+' }).includes('started'); i++) await new Promise((r) => setTimeout(r, 100));
    const seen: string[] = [];
    const stopWatch = await h.cluster.watch(resources.pods, { namespace: h.namespace, fieldSelector: 'metadata.name=graceful' }, (e: WatchEvent) => {
      const ready = (e.object.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status;
      seen.push(`${e.type}:${e.object.metadata.deletionTimestamp ? 'deleting' : 'live'}:${ready}`);
    });
    try {
      await h.cluster.delete(resources.pods, h.namespace, 'graceful');
      await h.waitForPod('graceful', 'deleted', (p) => p === undefined);
    } finally {
      stopWatch();
    }
    expect(readFileSync(trail, 'utf8')).toBe('started\nprestop\nsigterm\n');
    expect(seen).toContain('MODIFIED:deleting:False');
    expect(seen.indexOf('MODIFIED:deleting:False')).toBeLessThan(seen.findIndex((s) => s.startsWith('DELETED')));
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    await h.createPod('stubborn', {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', command: ['sh', '-c', 'trap "" TERM; while true; do sleep 0.2; done'] }],
    });
    const pod = await h.waitForPod('stubborn', 'Ready', isReady);
    const pid = Number(pod.status.containerStatuses[0].containerID.replace('process://', ''));
    await h.cluster.delete(resources.pods, h.namespace, 'stubborn');
    await h.waitForPod('stubborn', 'deleted', (p) => p === undefined);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('follows logs until the container ends, and tails', async () => {
    await h.createPod('talker', { restartPolicy: 'Never', containers: [{ name: 'app', command: ['sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.5; done'] }] });
    await h.waitForPod('talker', 'started', (p) => p?.status?.containerStatuses?.[0]?.state?.running !== undefined || p?.status?.phase === 'Succeeded');
    expect(await text(h.kubelet.logs(h.namespace, 'talker', { follow: true }))).toBe('line 1\nline 2\nline 3\n');
    expect(await h.logs('talker', { tailLines: 2 })).toBe('line 2\nline 3\n');
    expect(await text(await h.kubelet.podLogs(await h.getPod('talker'), { limitBytes: 9, timestamps: false }))).toBe('line 1\nli');
    expect(() => h.kubelet.logs(h.namespace, 'talker', { previous: true })).toThrow(/previous terminated container "app" in pod "talker" not found/);
    expect(() => h.kubelet.logs(h.namespace, 'nobody')).toThrow(/pods "nobody" not found/);
  });

  it('keeps a container unready until its readiness probe passes', async () => {
    const gate = join(scratch, 'gate');
    await h.createPod('gated', sharingHostDir(scratch, {
      containers: [{
        name: 'app',
        command: ['sleep', '600'],
        env: [{ name: 'GATE', value: gate }],
        readinessProbe: { exec: { command: ['sh', '-c', 'test -f "$GATE"'] }, periodSeconds: 1 },
      }],
    }));
    const running = await h.waitForPod('gated', 'running', (p) => p?.status?.phase === 'Running');
    expect(isReady(running)).toBe(false);
    expect(running.status.conditions.find((c: any) => c.type === 'ContainersReady')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(gate, '');
    const ready = await h.waitForPod('gated', 'Ready', isReady);
    expect(ready.status.containerStatuses[0].ready).toBe(true);
  });

  it.skipIf(mountNamespaceSupport() !== true)('gates readiness on a startup probe that execs inside the pod\'s mount namespace', async () => {
    const data = join(scratch, 'data');
    await h.createPod('slow-start', {
      volumes: [{ name: 'data', emptyDir: {} }],
      containers: [{
        name: 'app',
        command: ['sh', '-c', 'sleep 1; touch "$DATA/started"; exec node -e "$SERVER"'],
        env: [{ name: 'DATA', value: data }, { name: 'SERVER', value: HTTP_SERVER }],
        ports: [{ containerPort: 8080 }],
        volumeMounts: [{ name: 'data', mountPath: data }],
        startupProbe: { exec: { command: ['sh', '-c', 'test -f "$DATA/started"'] }, periodSeconds: 1, failureThreshold: 30 },
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
      }],
    });
    const first = await h.waitForPod('slow-start', 'running', (p) => p?.status?.containerStatuses?.[0]?.state?.running !== undefined);
    if (!isReady(first)) expect(first.status.containerStatuses[0].started).toBe(false);
    const ready = await h.waitForPod('slow-start', 'Ready', isReady);
    expect(ready.status.containerStatuses[0]).toMatchObject({ started: true, ready: true, restartCount: 0 });
  });
});
