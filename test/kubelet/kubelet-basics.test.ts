import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resources } from '../../runtime/resources/registry.js';
import { HTTP_SERVER, NODE, httpGetJson, isReady, startHarness, type Harness } from './kubelet-harness.js';

describe('kubelet: running pods as processes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('registers the node with capacity and a Ready condition', async () => {
    const node = await h.cluster.get(resources.nodes, undefined, 'baton');
    expect(Number(node.status.capacity.cpu)).toBeGreaterThan(0);
    expect(node.status.allocatable.memory).toMatch(/^\d+Ki$/);
    expect(node.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
  });

  it('runs an HTTP server pod to Running and Ready on its own loopback IP, with env, valueFrom, envFrom and $(VAR) expansion', async () => {
    await h.cluster.create(resources.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: h.namespace }, data: { GREETING: 'hello', 'bad key': 'x' } });
    await h.cluster.create(resources.secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: h.namespace }, data: { password: Buffer.from('s3cret').toString('base64') } });
    await h.cluster.create(resources.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'catalog-api', namespace: h.namespace }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    await h.createPod('web', {
      containers: [{
        name: 'app',
        image: 'ignored',
        command: [NODE, '-e', HTTP_SERVER],
        args: ['$(POD_IP):$(PORT)', '$$(POD_IP)', '$(NOPE)'],
        ports: [{ containerPort: 8080 }],
        envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'CFG_' }, { secretRef: { name: 'creds' } }],
        env: [
          { name: 'URL', value: 'http://$(POD_IP):$(PORT)/$(CFG_GREETING)' },
          { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'settings', key: 'GREETING' } } },
          { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
          { name: 'MY_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        ],
        readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
      }],
    });
    const pod = await h.waitForPod('web', 'Ready', isReady);
    expect(pod.status.phase).toBe('Running');
    expect(pod.spec.nodeName).toBe('baton');
    const ip: string = pod.status.podIP;
    expect(ip).toMatch(/^127\.1\.\d+\.\d+$/);
    expect(pod.status.podIPs).toEqual([{ ip }]);
    expect(pod.status.containerStatuses[0]).toMatchObject({ name: 'app', ready: true, restartCount: 0, started: true });
    expect(pod.status.containerStatuses[0].state.running.startedAt).toBeTruthy();

    const body = await httpGetJson(`http://${ip}:8080/`);
    expect(body.env).toMatchObject({
      POD_IP: ip, PORT: '8080', POD_NAME: 'web', POD_NAMESPACE: h.namespace,
      CFG_GREETING: 'hello', password: 's3cret', URL: `http://${ip}:8080/hello`,
      FROM_CM: 'hello', FROM_SECRET: 's3cret', MY_NAME: 'web', MY_IP: ip,
    });
    expect(body.env['CFG_bad key']).toBeUndefined();
    const svc = await h.cluster.get(resources.services, h.namespace, 'catalog-api');
    expect(body.env.CATALOG_API_SERVICE_HOST).toBe(svc.spec.clusterIP);
    expect(body.env.CATALOG_API_SERVICE_PORT).toBe('80');
    expect(body.env.CATALOG_API_SERVICE_PORT_HTTP).toBe('80');
    expect(body.argv).toEqual([`${ip}:8080`, '$(POD_IP)', '$(NOPE)']);

    expect(await h.logs('web')).toContain(`listening on ${ip}:8080`);
  });

  it('gives every pod its own IP so replicas bind the same port', async () => {
    await h.createPod('web2', { containers: [{ name: 'app', command: [NODE, '-e', HTTP_SERVER], ports: [{ containerPort: 8080 }] }] });
    const pod = await h.waitForPod('web2', 'Ready', isReady);
    const first = await h.getPod('web');
    expect(pod.status.podIP).not.toBe(first.status.podIP);
    expect((await httpGetJson(`http://${pod.status.podIP}:8080/`)).env.POD_NAME).toBe('web2');
  });

  it('leaves a container without command waiting with a clear reason', async () => {
    await h.createPod('no-command', { containers: [{ name: 'app', image: 'nginx' }] });
    const pod = await h.waitForPod('no-command', 'waiting', (p) => !!p.status?.containerStatuses?.[0]?.state?.waiting?.message);
    expect(pod.status.phase).toBe('Pending');
    expect(pod.status.containerStatuses[0].state.waiting).toEqual({
      reason: 'CreateContainerConfigError',
      message: 'process driver runs `command` (or `args`, as an image without ENTRYPOINT would); this container has neither',
    });
  });

  it('waits with CreateContainerConfigError while a referenced ConfigMap is missing', async () => {
    await h.createPod('missing-cm', { containers: [{ name: 'app', command: ['sleep', '60'], envFrom: [{ configMapRef: { name: 'absent' } }] }] });
    const pod = await h.waitForPod('missing-cm', 'waiting', (p) => !!p.status?.containerStatuses?.[0]?.state?.waiting?.message);
    expect(pod.status.containerStatuses[0].state.waiting).toEqual({ reason: 'CreateContainerConfigError', message: 'configmap "absent" not found' });
  });

  it('deletes gracefully: not Ready first, SIGTERM to the process, then the object is gone', async () => {
    const before = await h.getPod('web2');
    const pid = Number(before.status.containerStatuses[0].containerID.replace('process://', ''));
    await h.cluster.delete(resources.pods, h.namespace, 'web2');
    await h.waitForPod('web2', 'deleted', (p) => p === undefined);
    expect(() => process.kill(pid, 0)).toThrow();
    const events = (await h.cluster.list(resources.events, { namespace: h.namespace })).items.filter((e: any) => e.involvedObject.name === 'web2');
    expect(events.map((e: any) => e.reason)).toEqual(expect.arrayContaining(['Scheduled', 'Created', 'Started', 'Killing']));
  });
});
