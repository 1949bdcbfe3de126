import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resources } from '../../runtime/resources/registry.js';
import { HTTP_SERVER, NODE, httpGetJson, isReady, sharingHostDir, startHarness, type Harness } from './kubelet-harness.js';

/** A host directory the tests share with their pods (the state dir is hidden from pods). */
const scratch = mkdtempSync(join(tmpdir(), 'baton-restarts-'));

describe('kubelet: restarts, probes and re-adoption', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('backs off a crashing container: CrashLoopBackOff, restartCount, lastState exit code, previous logs', async () => {
    await h.createPod('crasher', { containers: [{ name: 'app', command: ['sh', '-c', 'echo "run at $(date +%s%N)"; exit 3'] }] });
    const pod = await h.waitForPod('crasher', 'CrashLoopBackOff', (p) => p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
    const status = pod.status.containerStatuses[0];
    expect(pod.status.phase).toBe('Running');
    expect(status.restartCount).toBeGreaterThanOrEqual(1);
    expect(status.lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(status.state.waiting.message).toMatch(/^back-off 10s restarting failed container=app pod=crasher_/);
    expect(status.ready).toBe(false);
    // In back-off, both the current and the previous log are the instance that just crashed, as with the kubelet.
    const previous = await h.logs('crasher', { previous: true });
    expect(previous).toMatch(/^run at \d+\n$/);
    expect(await h.logs('crasher')).toBe(previous);
    const events = (await h.cluster.list(resources.events, { namespace: h.namespace })).items.filter((e: any) => e.involvedObject.name === 'crasher');
    expect(events.map((e: any) => e.reason)).toContain('BackOff');
  });

  it('runs a job-like pod with restartPolicy Never to Succeeded', async () => {
    await h.createPod('once', { restartPolicy: 'Never', containers: [{ name: 'app', command: ['sh', '-c', 'echo done'] }] });
    const pod = await h.waitForPod('once', 'Succeeded', (p) => p?.status?.phase === 'Succeeded');
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(await h.logs('once', { tailLines: 1 })).toBe('done\n');
    expect(() => h.kubelet.logs(h.namespace, 'once', { previous: true })).toThrow(/previous terminated container "app" in pod "once" not found/);
  });

  it('restarts a container whose liveness probe fails', async () => {
    const flag = `${scratch}/unhealthy-flag`;
    await h.createPod('sick', sharingHostDir(scratch, {
      containers: [{
        name: 'app',
        command: [NODE, '-e', HTTP_SERVER],
        ports: [{ containerPort: 8080, name: 'http' }],
        env: [{ name: 'UNHEALTHY_FILE', value: flag }],
        livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, failureThreshold: 2 },
      }],
    }));
    const running = await h.waitForPod('sick', 'Ready', isReady);
    await httpGetJson(`http://${running.status.podIP}:8080/`);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(flag, 'x');
    const restarted = await h.waitForPod('sick', 'restarted', (p) => p?.status?.containerStatuses?.[0]?.restartCount >= 1);
    rmSync(flag);
    // The server exits 0 on SIGTERM; the kubelet still restarts it (restartPolicy Always).
    expect(restarted.status.containerStatuses[0].lastState.terminated.exitCode).toBe(0);
    const reasons = (await h.cluster.list(resources.events, { namespace: h.namespace })).items.filter((e: any) => e.involvedObject.name === 'sick').map((e: any) => `${e.reason}: ${e.message}`);
    expect(reasons).toContain('Killing: Container app failed liveness probe, will be restarted');
    expect(reasons.some((r) => r.startsWith('Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500'))).toBe(true);
  });

  it('re-adopts the running process after the runtime restarts, never starting a second one', async () => {
    await h.createPod('steady', { containers: [{ name: 'app', command: [NODE, '-e', HTTP_SERVER], ports: [{ containerPort: 8080 }] }] });
    const before = await h.waitForPod('steady', 'Ready', isReady);
    const ip = before.status.podIP;
    const pid = (await httpGetJson(`http://${ip}:8080/`)).pid;
    await h.restartKubelet();
    // A full reconcile pass of the new kubelet has happened once the node heartbeat and a status write are seen.
    await new Promise((r) => setTimeout(r, 3000));
    const after = await h.getPod('steady');
    expect(after.status.podIP).toBe(ip);
    expect(after.status.containerStatuses[0].restartCount).toBe(0);
    expect(isReady(after)).toBe(true);
    expect((await httpGetJson(`http://${ip}:8080/`)).pid).toBe(pid);
    expect(await h.logs('steady')).toContain(`listening on ${ip}:8080`);
    const record = JSON.parse(readFileSync(`${h.stateDir}/pods/${after.metadata.uid}/state.json`, 'utf8'));
    expect(record.containers.app.current.instance).toBe(0);
  });

  it('kills a pod\'s processes when the pod object vanished while the runtime was down', async () => {
    const pod = await h.waitForPod('steady', 'Ready', isReady);
    // The server's own pid is its pid namespace's (a small number some host process has): the host sees the
    // container as the process group its wrapper leads, the program included.
    const group = JSON.parse(readFileSync(`${h.stateDir}/pods/${pod.metadata.uid}/state.json`, 'utf8')).containers.app.current.pid;
    process.kill(-group, 0);
    await h.kubelet.stop();
    await h.cluster.delete(resources.pods, h.namespace, 'steady', { gracePeriodSeconds: 0 });
    await h.restartKubelet();
    const deadline = Date.now() + 10_000;
    let alive = true;
    while (alive && Date.now() < deadline) {
      try {
        process.kill(-group, 0);
        await new Promise((r) => setTimeout(r, 200));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });
});

describe('kubelet: init containers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('runs init containers to completion, in order, before the app', async () => {
    const trail = `${scratch}/init-trail`;
    await h.createPod('with-init', sharingHostDir(scratch, {
      initContainers: [
        { name: 'first', command: ['sh', '-c', `echo first >> ${trail}`] },
        { name: 'second', command: ['sh', '-c', `sleep 0.5; echo second >> ${trail}`] },
      ],
      containers: [{ name: 'app', command: ['sh', '-c', `echo app >> ${trail}; exec sleep 600`] }],
    }));
    const pod = await h.waitForPod('with-init', 'Ready', isReady);
    // Ready means started, not done writing: wait for the app's line.
    for (let i = 0; i < 50 && !readFileSync(trail, 'utf8').includes('app'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(trail, 'utf8')).toBe('first\nsecond\napp\n');
    expect(pod.status.initContainerStatuses.map((s: any) => [s.name, s.state.terminated?.reason, s.ready])).toEqual([
      ['first', 'Completed', true],
      ['second', 'Completed', true],
    ]);
    expect(pod.status.conditions.find((c: any) => c.type === 'Initialized').status).toBe('True');
    expect(await h.logs('with-init', { container: 'second' })).toBe('');
    expect(() => h.kubelet.logs(h.namespace, 'with-init', { container: 'nope' })).toThrow(/container nope is not valid/);
  });

  it('fails a restartPolicy Never pod whose init container fails, never starting the app', async () => {
    await h.createPod('bad-init', {
      restartPolicy: 'Never',
      initContainers: [{ name: 'migrate', command: ['sh', '-c', 'echo migration failed; exit 2'] }],
      containers: [{ name: 'app', command: ['sleep', '600'] }],
    });
    const pod = await h.waitForPod('bad-init', 'Failed', (p) => p?.status?.phase === 'Failed');
    expect(pod.status.initContainerStatuses[0].state.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(pod.status.containerStatuses[0].state.waiting.reason).toBe('PodInitializing');
    expect(pod.status.conditions.find((c: any) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized' });
    expect(await h.logs('bad-init', { container: 'migrate' })).toBe('migration failed\n');
  });
});

describe('kubelet: a container that ended while the runtime was down', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is restarted by the next kubelet with its exit code in lastState', async () => {
    const gate = `${scratch}/exit-now`;
    await h.createPod('quitter', sharingHostDir(scratch, { containers: [{ name: 'app', command: ['sh', '-c', `while [ ! -f ${gate} ]; do sleep 0.1; done; exit 5`] }] }));
    const before = await h.waitForPod('quitter', 'running', (p) => p?.status?.containerStatuses?.[0]?.state?.running !== undefined);
    const pid = Number(before.status.containerStatuses[0].containerID.replace('process://', ''));
    await h.kubelet.stop();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(gate, '');
    for (let i = 0; i < 50; i++) {
      try {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 100));
      } catch {
        break;
      }
    }
    await h.restartKubelet();
    const after = await h.waitForPod('quitter', 'restarted', (p) => p?.status?.containerStatuses?.[0]?.restartCount === 1);
    expect(after.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 5, reason: 'Error' });
  });
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));
