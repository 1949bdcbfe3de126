import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type RunningRuntime } from '../../runtime/runtime-server.js';
import { apiRequest, kubectl, kubectlOk } from './runtime-process.js';

let dir: string;
let runtime: RunningRuntime;
let rt: { url: string; token: string; ca: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-rt-dryrun-'));
  runtime = await startRuntime({ stateDir: dir, port: 0, kubelet: false, proxy: false, ingress: false, controllers: false });
  rt = { url: runtime.url, token: runtime.token, ca: runtime.caCertificate };
});

afterAll(async () => {
  await runtime?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const CMS = '/api/v1/namespaces/default/configmaps';
const configMap = (name: string, value = 'one') => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: value } });
const json = (body: string) => ({ body, contentType: 'application/json' });

/** The 422 kube-apiserver answers for a dryRun it does not support (ValidateDryRun through errors.NewInvalid). */
function unsupported(kind: string, values: string) {
  const message = `Unsupported value: ${values}: supported values: "All"`;
  return {
    kind: 'Status',
    status: 'Failure',
    reason: 'Invalid',
    code: 422,
    message: `${kind}.meta.k8s.io "" is invalid: dryRun: ${message}`,
    details: { group: 'meta.k8s.io', kind, causes: [{ reason: 'FieldValueNotSupported', message, field: 'dryRun' }] },
  };
}

async function valueOf(name: string): Promise<string | undefined> {
  const res = await apiRequest(rt, 'GET', `${CMS}/${name}`);
  return res.status === 200 ? res.json().data.k : undefined;
}

describe('the dryRun query parameter, answered as kube-apiserver answers it', () => {
  it('refuses an unsupported or empty dryRun on create with 422 CreateOptions, before reading the object', async () => {
    const foo = await apiRequest(rt, 'POST', `${CMS}?dryRun=Foo`, json(configMap('c-foo')));
    expect(foo.status, foo.text).toBe(422);
    expect(foo.json()).toEqual({ apiVersion: 'v1', metadata: {}, ...unsupported('CreateOptions', '[]string{"Foo"}') });
    const empty = await apiRequest(rt, 'POST', `${CMS}?dryRun=`, json(configMap('c-empty')));
    expect(empty.status, empty.text).toBe(422);
    expect(empty.json()).toMatchObject(unsupported('CreateOptions', '[]string{""}'));
    const mixed = await apiRequest(rt, 'POST', `${CMS}?dryRun=All&dryRun=Foo`, json('not an object'));
    expect(mixed.status, mixed.text).toBe(422);
    expect(mixed.json()).toMatchObject(unsupported('CreateOptions', '[]string{"All", "Foo"}'));
    expect(await valueOf('c-foo')).toBeUndefined();
    expect(await valueOf('c-empty')).toBeUndefined();
  });

  it('takes a repeated dryRun=All as a dry run', async () => {
    const res = await apiRequest(rt, 'POST', `${CMS}?dryRun=All&dryRun=All`, json(configMap('c-twice')));
    expect(res.status, res.text).toBe(201);
    expect(res.json().metadata.name).toBe('c-twice');
    expect(await valueOf('c-twice')).toBeUndefined();
  });

  it('refuses them on update, patch and delete with UpdateOptions, PatchOptions and DeleteOptions, leaving the object as it was', async () => {
    expect((await apiRequest(rt, 'POST', CMS, json(configMap('c-live')))).status).toBe(201);
    const put = await apiRequest(rt, 'PUT', `${CMS}/c-live?dryRun=Foo`, json(configMap('c-live', 'two')));
    expect(put.status, put.text).toBe(422);
    expect(put.json()).toMatchObject(unsupported('UpdateOptions', '[]string{"Foo"}'));
    const patch = await apiRequest(rt, 'PATCH', `${CMS}/c-live?dryRun=`, { body: '{"data":{"k":"two"}}', contentType: 'application/merge-patch+json' });
    expect(patch.status, patch.text).toBe(422);
    expect(patch.json()).toMatchObject(unsupported('PatchOptions', '[]string{""}'));
    const del = await apiRequest(rt, 'DELETE', `${CMS}/c-live?dryRun=Foo`);
    expect(del.status, del.text).toBe(422);
    expect(del.json()).toMatchObject(unsupported('DeleteOptions', '[]string{"Foo"}'));
    const twice = await apiRequest(rt, 'PATCH', `${CMS}/c-live?dryRun=All&dryRun=All`, { body: '{"data":{"k":"two"}}', contentType: 'application/merge-patch+json' });
    expect(twice.status, twice.text).toBe(200);
    expect(twice.json().data.k).toBe('two');
    expect(await valueOf('c-live')).toBe('one');
  });

  it('reads a delete\'s dryRun from its DeleteOptions body, as kubectl delete --dry-run=server sends it', async () => {
    await kubectlOk(runtime.kubeconfigPath, ['create', 'configmap', 'c-kept', '--from-literal=k=one']);
    const out = await kubectlOk(runtime.kubeconfigPath, ['delete', 'configmap', 'c-kept', '--dry-run=server']);
    expect(out).toContain('configmap "c-kept" deleted (server dry run)');
    expect(await valueOf('c-kept')).toBe('one');
    const bad = await apiRequest(rt, 'DELETE', `${CMS}/c-kept`, json('{"kind":"DeleteOptions","apiVersion":"v1","dryRun":["Foo"]}'));
    expect(bad.status, bad.text).toBe(422);
    expect(bad.json()).toMatchObject(unsupported('DeleteOptions', '[]string{"Foo"}'));
    expect(await valueOf('c-kept')).toBe('one');
  });

  it('takes an eviction\'s dryRun from its deleteOptions, as kubectl drain --dry-run=server sends it', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evictee' }, spec: { containers: [{ name: 'c', image: 'app:1' }] } };
    expect((await apiRequest(rt, 'POST', '/api/v1/namespaces/default/pods', json(JSON.stringify(pod)))).status).toBe(201);
    const eviction = (dryRun: string[]) => json(JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evictee' }, deleteOptions: { dryRun } }));
    const path = '/api/v1/namespaces/default/pods/evictee/eviction';
    const dry = await apiRequest(rt, 'POST', path, eviction(['All']));
    expect(dry.status, dry.text).toBe(201);
    const mismatch = await apiRequest(rt, 'POST', `${path}?dryRun=All`, eviction(['All', 'All']));
    expect(mismatch.status, mismatch.text).toBe(500);
    expect(mismatch.json().message).toBe('Non-matching dry-run options in request and content: [All] and [All All]');
    const bad = await apiRequest(rt, 'POST', path, eviction(['Foo']));
    expect(bad.status, bad.text).toBe(422);
    expect(bad.json()).toMatchObject(unsupported('DeleteOptions', '[]string{"Foo"}'));
    const live = await apiRequest(rt, 'GET', '/api/v1/namespaces/default/pods/evictee');
    expect(live.status).toBe(200);
    expect(live.json().metadata.deletionTimestamp).toBeUndefined();
  });

  it('leaves the replicas as they were on kubectl scale --dry-run=server, through the scale subresource', async () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'app:1' }] } } } };
    expect((await apiRequest(rt, 'POST', '/apis/apps/v1/namespaces/default/deployments', json(JSON.stringify(deployment)))).status).toBe(201);
    const out = await kubectlOk(runtime.kubeconfigPath, ['scale', 'deployment', 'web', '--replicas=5', '--dry-run=server']);
    expect(out).toContain('deployment.apps/web scaled (server dry run)');
    const scale = '/apis/apps/v1/namespaces/default/deployments/web/scale';
    const dry = await apiRequest(rt, 'PUT', `${scale}?dryRun=All`, json(JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: 3 } })));
    expect(dry.status, dry.text).toBe(200);
    expect(dry.json().spec.replicas).toBe(3);
    const bad = await apiRequest(rt, 'PATCH', `${scale}?dryRun=Foo`, { body: '{"spec":{"replicas":2}}', contentType: 'application/merge-patch+json' });
    expect(bad.status, bad.text).toBe(422);
    expect(bad.json()).toMatchObject(unsupported('PatchOptions', '[]string{"Foo"}'));
    expect((await apiRequest(rt, 'GET', scale)).json().spec.replicas).toBe(1);
  });

  it('refuses a server-side apply without a fieldManager with 422 PatchOptions', async () => {
    const res = await apiRequest(rt, 'PATCH', `${CMS}/c-applied`, { body: configMap('c-applied'), contentType: 'application/apply-patch+yaml' });
    expect(res.status, res.text).toBe(422);
    expect(res.json()).toMatchObject({
      reason: 'Invalid',
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      details: { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] },
    });
    const r = await kubectl(runtime.kubeconfigPath, ['get', 'configmap', 'c-applied']);
    expect(r.code).not.toBe(0);
  });
});
