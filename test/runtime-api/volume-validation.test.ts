import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type RunningRuntime } from '../../runtime/runtime-server.js';
import { apiRequest, kubectl } from './runtime-process.js';

let dir: string;
let runtime: RunningRuntime;
let rt: { url: string; token: string; ca: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-rt-volumes-'));
  runtime = await startRuntime({ stateDir: dir, port: 0, kubelet: false, proxy: false, ingress: false, controllers: false });
  rt = { url: runtime.url, token: runtime.token, ca: runtime.caCertificate };
});

afterAll(async () => {
  await runtime?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const podSpec = (path: string, subPath = 'data') => ({
  volumes: [{ name: 'config', configMap: { name: 'app', items: [{ key: 'k', path }] } }],
  containers: [{ name: 'app', image: 'app:1', volumeMounts: [{ name: 'config', mountPath: '/etc/app', subPath }] }],
});

const json = (obj: unknown) => ({ body: JSON.stringify(obj), contentType: 'application/json' });

describe('the API refuses volume paths that leave the volume', () => {
  it('answers a Pod with a climbing item path and an absolute subPath with 422 Invalid, one cause per field', async () => {
    const res = await apiRequest(rt, 'POST', '/api/v1/namespaces/default/pods', json({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evil' }, spec: podSpec('../../x', '/etc') }));
    expect(res.status, res.text).toBe(422);
    expect(res.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Invalid',
      code: 422,
      message: 'Pod "evil" is invalid: [spec.volumes[0].configMap.items[0].path: Invalid value: "../../x": must not contain \'..\', spec.containers[0].volumeMounts.subPath: Invalid value: "/etc": must be a relative path]',
      details: {
        name: 'evil',
        kind: 'Pod',
        causes: [
          { reason: 'FieldValueInvalid', field: 'spec.volumes[0].configMap.items[0].path', message: 'Invalid value: "../../x": must not contain \'..\'' },
          { reason: 'FieldValueInvalid', field: 'spec.containers[0].volumeMounts.subPath', message: 'Invalid value: "/etc": must be a relative path' },
        ],
      },
    });
    expect((await apiRequest(rt, 'GET', '/api/v1/namespaces/default/pods/evil')).status).toBe(404);
  });

  it('checks the pod template of a Deployment on create and on update', async () => {
    const deployment = (path: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec(path) } },
    });
    const bad = await apiRequest(rt, 'POST', '/apis/apps/v1/namespaces/default/deployments', json(deployment('/abs')));
    expect(bad.status, bad.text).toBe(422);
    expect(bad.json().message).toBe('Deployment.apps "web" is invalid: spec.template.spec.volumes[0].configMap.items[0].path: Invalid value: "/abs": must be a relative path');

    const created = await apiRequest(rt, 'POST', '/apis/apps/v1/namespaces/default/deployments', json(deployment('app.conf')));
    expect(created.status, created.text).toBe(201);
    const update = await apiRequest(rt, 'PUT', '/apis/apps/v1/namespaces/default/deployments/web', json({ ...created.json(), spec: deployment('conf/../../../x').spec }));
    expect(update.status, update.text).toBe(422);
    expect(update.json().details.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.template.spec.volumes[0].configMap.items[0].path', message: 'Invalid value: "conf/../../../x": must not contain \'..\'' },
    ]);
  });

  it('refuses a subPathExpr that leaves the volume, naming the list as kube-apiserver does and printing a repeated error once', async () => {
    const mounts = [{ name: 'logs', mountPath: '/a', subPathExpr: '/$(POD)' }, { name: 'logs', mountPath: '/b', subPathExpr: '/$(POD)' }, { name: 'logs', mountPath: '/c', subPathExpr: '$(POD)/..' }];
    const spec = { volumes: [{ name: 'logs', emptyDir: {} }], containers: [{ name: 'app', image: 'app:1', volumeMounts: mounts }] };
    const res = await apiRequest(rt, 'POST', '/api/v1/namespaces/default/pods', json({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'expr' }, spec }));
    expect(res.status, res.text).toBe(422);
    expect(res.json().message).toBe('Pod "expr" is invalid: [spec.containers[0].volumeMounts.subPathExpr: Invalid value: "/$(POD)": must be a relative path, spec.containers[0].volumeMounts.subPathExpr: Invalid value: "$(POD)/..": must not contain \'..\']');
    expect(res.json().details.causes).toHaveLength(3);
  });

  it('shows kubectl apply that subPath and subPathExpr are mutually exclusive', async () => {
    const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: both
spec:
  containers:
  - name: app
    image: app:1
    volumeMounts:
    - name: logs
      mountPath: /logs
      subPath: logs
      subPathExpr: $(POD_NAME)
  volumes:
  - name: logs
    emptyDir: {}
`;
    const r = await kubectl(runtime.kubeconfigPath, ['apply', '-f', '-'], manifest);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Pod "both" is invalid: spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "$(POD_NAME)": subPathExpr and subPath are mutually exclusive');
    expect((await apiRequest(rt, 'GET', '/api/v1/namespaces/default/pods/both')).status).toBe(404);
  });

  it('shows kubectl apply the same message Kubernetes gives', async () => {
    const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: traversal
spec:
  containers:
  - name: app
    image: app:1
  volumes:
  - name: config
    configMap:
      name: app
      items:
      - key: k
        path: ../../x
`;
    const r = await kubectl(runtime.kubeconfigPath, ['apply', '-f', '-'], manifest);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Pod "traversal" is invalid: spec.volumes[0].configMap.items[0].path: Invalid value: "../../x": must not contain \'..\'');
  });
});
