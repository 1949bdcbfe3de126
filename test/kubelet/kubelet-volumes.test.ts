import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountNamespaceSupport } from '../../runtime/kubelet/index.js';
import { resources } from '../../runtime/resources/registry.js';
import { NODE, httpGetJson, isReady, startHarness, type Harness } from './kubelet-harness.js';

const support = mountNamespaceSupport();
if (support !== true) console.warn(`skipping volume tests: unshare --mount is not permitted here (${support})`);

/** Serves the files below MOUNT as JSON. */
const FILE_SERVER = `
const fs = require('fs');
require('http').createServer((req, res) => {
  const dir = process.env.MOUNT;
  const out = {};
  for (const f of fs.readdirSync(dir)) { try { out[f] = fs.readFileSync(dir + '/' + f, 'utf8'); } catch {} }
  res.end(JSON.stringify({ files: out, scratch: fs.readdirSync(process.env.SCRATCH) }));
}).listen(Number(process.env.PORT), process.env.POD_IP);
`;

describe.skipIf(support !== true)('kubelet: volumes in a private mount namespace', () => {
  let h: Harness;
  let mountRoot: string;
  beforeAll(async () => {
    h = await startHarness();
    mountRoot = mkdtempSync(join(tmpdir(), 'baton-mnt-'));
  });
  afterAll(async () => {
    await h?.close();
    rmSync(mountRoot, { recursive: true, force: true });
  });

  it('shows configMap, secret and emptyDir volumes at their mountPath only inside the pod, and follows ConfigMap edits', async () => {
    const config = join(mountRoot, 'config');
    const scratch = join(mountRoot, 'scratch');
    await h.cluster.create(resources.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: h.namespace }, data: { 'app.yaml': 'color: blue\n' } });
    await h.cluster.create(resources.secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: h.namespace }, data: { key: Buffer.from('private').toString('base64') } });
    await h.createPod('files', {
      volumes: [
        { name: 'config', configMap: { name: 'app-config' } },
        { name: 'tls', secret: { secretName: 'tls' } },
        { name: 'scratch', emptyDir: {} },
      ],
      containers: [{
        name: 'app',
        command: [NODE, '-e', FILE_SERVER],
        ports: [{ containerPort: 8080 }],
        env: [{ name: 'MOUNT', value: config }, { name: 'SCRATCH', value: scratch }],
        volumeMounts: [
          { name: 'config', mountPath: config },
          { name: 'tls', mountPath: join(config, 'tls-key'), subPath: 'key', readOnly: true },
          { name: 'scratch', mountPath: scratch },
        ],
      }],
    });
    const pod = await h.waitForPod('files', 'Ready', isReady);
    const url = `http://${pod.status.podIP}:8080/`;
    expect((await httpGetJson(url)).files).toEqual({ 'app.yaml': 'color: blue\n', 'tls-key': 'private' });
    // The host sees nothing of them: below /tmp the mounts (and their mount points) live on the pod's own /tmp.
    expect(existsSync(config)).toBe(false);

    const cm = await h.cluster.get(resources.configmaps, h.namespace, 'app-config');
    await h.cluster.update(resources.configmaps, { ...cm, data: { 'app.yaml': 'color: green\n' } });
    const deadline = Date.now() + 20_000;
    let files: Record<string, string> = {};
    while (Date.now() < deadline) {
      files = (await httpGetJson(url)).files;
      if (files['app.yaml'] === 'color: green\n') break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(files['app.yaml']).toBe('color: green\n');
  });
});

describe('kubelet: memory limits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('kills a container above its memory limit with reason OOMKilled', async () => {
    await h.createPod('hungry', {
      restartPolicy: 'Never',
      containers: [{
        name: 'app',
        command: [NODE, '-e', 'const a = []; setInterval(() => a.push(Buffer.alloc(16e6, 1)), 50)'],
        resources: { limits: { memory: '100Mi' }, requests: { memory: '50Mi' } },
      }],
    });
    const pod = await h.waitForPod('hungry', 'Failed', (p) => p?.status?.phase === 'Failed');
    expect(pod.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(pod.status.qosClass).toBe('Burstable');
  });

  it('keeps a pod that does not fit the node Pending with FailedScheduling', async () => {
    await h.createPod('huge', { containers: [{ name: 'app', command: ['sleep', '60'], resources: { requests: { cpu: '512' } } }] });
    const pod = await h.waitForPod('huge', 'unschedulable', (p) => p?.status?.conditions?.[0]?.reason === 'Unschedulable');
    expect(pod.spec.nodeName).toBeUndefined();
    expect(pod.status.phase).toBe('Pending');
    expect(pod.status.conditions[0].message).toMatch(/^0\/1 nodes are available: 1 Insufficient cpu/);
    const events = (await h.cluster.list(resources.events, { namespace: h.namespace })).items.filter((e: any) => e.involvedObject.name === 'huge');
    expect(events.map((e: any) => e.reason)).toEqual(['FailedScheduling']);
  });
});
