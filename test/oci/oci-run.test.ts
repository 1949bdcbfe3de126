import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resources } from '../../runtime/resources/registry.js';
import type { KubeObject } from '../../runtime/kube/object.js';
import { buildImage, pushImage, startRegistry, type LocalRegistry } from '../support/oci-registry.js';
import { startOciRuntime, type OciRuntime } from '../support/oci-runtime.js';

let registry: LocalRegistry;
let rt: OciRuntime;

const WEB_CMD = ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'];

/** Fails the test unless `ip` routes to the runtime's bridge: no test packet may leave the machine. */
function assertOnBridge(ip: string): void {
  const bridge = execFileSync('ip', ['-j', 'route', 'get', ip], { encoding: 'utf8' });
  const dev = (JSON.parse(bridge) as Array<{ dev?: string }>)[0]?.dev ?? '';
  expect(dev, `route to ${ip}`).toMatch(/^bt[0-9a-f]{8}$/);
}

async function get(ip: string, port = 80): Promise<string> {
  assertOnBridge(ip);
  const res = await fetch(`http://${ip}:${port}/`, { signal: AbortSignal.timeout(5000) });
  return (await res.text()).trim();
}

const running = (p: KubeObject) => p.status?.phase === 'Running' && (p.status?.containerStatuses ?? []).every((c: any) => c.ready);
const ended = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const waitingReason = (p: KubeObject) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason;

beforeAll(async () => {
  registry = await startRegistry();
  await pushImage(registry, 'team/web:v1', buildImage({ cmd: WEB_CMD }));
  await pushImage(registry, 'team/web-docker:v1', buildImage({ cmd: WEB_CMD, format: 'docker' }));
  await pushImage(registry, 'team/echo:v1', buildImage({
    entrypoint: ['/bin/echo', 'ep'],
    cmd: ['cmd'],
    env: ['PATH=/bin', 'FROM_IMAGE=img', 'SHARED=image'],
    workingDir: '/srv',
    layers: [{ '/srv/.keep': '' }],
  }));
  await pushImage(registry, 'google-samples/hello:v5', buildImage({ cmd: ['sh', '-c', 'echo mirrored'] }));
  await pushImage(registry, 'library/busybox:1.36', buildImage({ cmd: ['sh', '-c', 'echo docker hub name'] }));
  rt = await startOciRuntime({
    registriesYaml: [
      'mirrors:',
      `  docker.io:\n    endpoint: ["${registry.url}"]`,
      `  gcr.io:\n    endpoint: ["${registry.url}"]`,
    ].join('\n'),
  });
});

afterAll(async () => {
  await rt?.close();
  await registry?.stop();
});

describe('the oci driver runs images from a registry', () => {
  it('runs a Deployment whose container has only image: three replicas, all on port 80, each on its own pod IP', async () => {
    const labels = { app: 'web' };
    await rt.runtime.cluster.create(resources.deployments, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: rt.namespace },
      spec: {
        replicas: 3,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: `${registry.host}/team/web:v1`, ports: [{ containerPort: 80 }], readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 1 } }] } },
      },
    });
    let pods: KubeObject[] = [];
    for (let i = 0; i < 300; i++) {
      pods = (await rt.runtime.cluster.list(resources.pods, { namespace: rt.namespace, labelSelector: 'app=web' })).items;
      if (pods.length === 3 && pods.every(running)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(pods.filter(running).map((p) => p.metadata.name)).toHaveLength(3);
    const ips = pods.map((p) => p.status!.podIP as string);
    expect(new Set(ips).size).toBe(3);
    for (const pod of pods) {
      expect(await get(pod.status!.podIP)).toBe(pod.metadata.name);
      const status = pod.status!.containerStatuses[0];
      expect(status.imageID).toMatch(new RegExp(`^${registry.host}/team/web@sha256:[0-9a-f]{64}$`));
      expect(status.containerID).toMatch(/^oci:\/\//);
    }
    const events = (await rt.runtime.cluster.list(resources.events, { namespace: rt.namespace })).items.map((e) => `${e.reason}: ${e.message}`);
    expect(events.some((e) => /^Pulled: Successfully pulled image ".*team\/web:v1" in [\d.]+s/.test(e))).toBe(true);
  });

  it('pulls a Docker schema-2 image as well as an OCI one', async () => {
    await rt.createPod('docker-web', { containers: [{ name: 'web', image: `${registry.host}/team/web-docker:v1`, readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 1 } }] });
    const pod = await rt.waitForPod('docker-web', 'running', running);
    expect(await get(pod.status!.podIP)).toBe('docker-web');
  });

  const matrix: Array<[string, Record<string, unknown>, string]> = [
    ['neither command nor args: Entrypoint + Cmd', {}, 'ep cmd'],
    ['args only: Entrypoint + args', { args: ['a1', 'a2'] }, 'ep a1 a2'],
    ['command only: command, Cmd dropped', { command: ['/bin/echo', 'c'] }, 'c'],
    ['command and args', { command: ['/bin/echo', 'c'], args: ['a1'] }, 'c a1'],
    ['$(VAR) expands from the container env, not the image\'s', { command: ['/bin/echo', '$(GREETING)', '$(FROM_IMAGE)', '$$(GREETING)'], env: [{ name: 'GREETING', value: 'hi' }] }, 'hi $(FROM_IMAGE) $(GREETING)'],
    ['image Env under the pod env', { command: ['sh', '-c', 'echo $FROM_IMAGE $SHARED'], env: [{ name: 'SHARED', value: 'pod' }] }, 'img pod'],
    ['WorkingDir from the image', { command: ['sh', '-c', 'pwd'] }, '/srv'],
    ['workingDir overrides it', { command: ['sh', '-c', 'pwd'], workingDir: '/tmp' }, '/tmp'],
  ];
  for (const [title, fields, expected] of matrix) {
    it(`command/args/env/workingDir as Kubernetes documents: ${title}`, async () => {
      const name = `echo-${matrix.findIndex((m) => m[0] === title)}`;
      await rt.createPod(name, { restartPolicy: 'Never', containers: [{ name: 'c', image: `${registry.host}/team/echo:v1`, ...fields }] });
      const pod = await rt.waitForPod(name, 'finished', ended);
      expect(pod.status!.phase).toBe('Succeeded');
      expect((await rt.logs(name)).trim()).toBe(expected);
    });
  }

  it('gives a finished pod\'s network namespace and address back, keeping its status and logs', async () => {
    await rt.createPod('finisher', { restartPolicy: 'Never', containers: [{ name: 'c', image: `${registry.host}/team/echo:v1`, command: ['echo', 'bye'] }] });
    const done = await rt.waitForPod('finisher', 'finished', ended);
    const recordFile = join(rt.dir, 'node', 'pods', done.metadata.uid!, 'state.json');
    const record = () => JSON.parse(readFileSync(recordFile, 'utf8')) as { sandbox: { netnsPath: string }; sandboxReleased?: boolean };
    for (let i = 0; i < 100 && !record().sandboxReleased; i++) await new Promise((r) => setTimeout(r, 200));
    expect(record().sandboxReleased).toBe(true);
    expect(existsSync(record().sandbox.netnsPath)).toBe(false);
    expect((await rt.logs('finisher')).trim()).toBe('bye');
    expect((await rt.runtime.cluster.get(resources.pods, rt.namespace, 'finisher')).status!.phase).toBe('Succeeded');
  });

  it('enforces a memory limit in the kernel: OOMKilled, then restarted', async () => {
    await rt.createPod('hog', {
      containers: [{ name: 'hog', image: `${registry.host}/team/echo:v1`, command: ['sh', '-c', 'x=a; while true; do x=$x$x; done'], resources: { limits: { memory: '32Mi' } } }],
    });
    const pod = await rt.waitForPod('hog', 'OOMKilled', (p) => p.status?.containerStatuses?.[0]?.lastState?.terminated?.reason === 'OOMKilled', 90_000);
    const status = pod.status!.containerStatuses[0];
    expect(status.lastState.terminated.exitCode).toBe(137);
    expect(status.restartCount).toBeGreaterThanOrEqual(1);
  });

  it('shows ImagePullBackOff for a missing image, quoting the registry', async () => {
    await rt.createPod('missing', { containers: [{ name: 'c', image: `${registry.host}/team/nope:v9` }] });
    const pulled = await rt.waitForPod('missing', 'ErrImagePull', (p) => waitingReason(p) === 'ErrImagePull' || waitingReason(p) === 'ImagePullBackOff');
    expect(pulled.status!.containerStatuses[0].state.waiting.message).toMatch(/manifest unknown/);
    const backoff = await rt.waitForPod('missing', 'ImagePullBackOff', (p) => waitingReason(p) === 'ImagePullBackOff');
    expect(backoff.status!.containerStatuses[0].state.waiting.message).toMatch(/^Back-off pulling image ".*team\/nope:v9": .*manifest unknown/);
  });

  it('serves docker.io/... and gcr.io/... names from the local registry through registries.yaml mirrors', async () => {
    await rt.createPod('from-gcr', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'gcr.io/google-samples/hello:v5' }] });
    await rt.createPod('from-hub', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] });
    await rt.waitForPod('from-gcr', 'finished', ended);
    const hub = await rt.waitForPod('from-hub', 'finished', ended);
    expect((await rt.logs('from-gcr')).trim()).toBe('mirrored');
    expect((await rt.logs('from-hub')).trim()).toBe('docker hub name');
    expect(hub.status!.containerStatuses[0].imageID).toMatch(/^docker\.io\/library\/busybox@sha256:/);
  });
});
