import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess;
const ns = 'edge';
const cmPath = `/api/v1/namespaces/${ns}/configmaps`;
const json = 'application/json';

function configMap(name: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' }, ...extra });
}

beforeAll(async () => {
  rt = await startRuntimeProcess();
  await kubectlOk(rt.kubeconfig, ['create', 'namespace', ns]);
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

describe('the runtime API edge', () => {
  it('answers every request without the right bearer token with a 401 Status', async () => {
    for (const token of [null, 'wrong-token']) {
      const res = await apiRequest(rt, 'GET', '/api/v1/namespaces', { token });
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
  });

  it('rejects bad bodies with a Kubernetes Status and writes nothing', async () => {
    const cases: Array<[string, { body: string | Buffer; contentType: string }, number, string]> = [
      ['malformed JSON', { body: '{"apiVersion": ', contentType: json }, 400, 'BadRequest'],
      ['malformed YAML', { body: 'metadata: [unclosed', contentType: 'application/yaml' }, 400, 'BadRequest'],
      ['wrong content type', { body: configMap('ct'), contentType: 'text/plain' }, 415, 'UnsupportedMediaType'],
      ['oversized body', { body: Buffer.alloc(4 * 1024 * 1024, 'a'), contentType: json }, 413, 'RequestEntityTooLarge'],
      ['kind not matching the URL', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k' } }), contentType: json }, 400, 'BadRequest'],
      ['apiVersion not matching the URL', { body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'k' } }), contentType: json }, 400, 'BadRequest'],
      ['namespace not matching the URL', { body: configMap('n', { metadata: { name: 'n', namespace: 'other' } }), contentType: json }, 400, 'BadRequest'],
      ['a list instead of an object', { body: '[1,2]', contentType: json }, 400, 'BadRequest'],
    ];
    for (const [what, req, code, reason] of cases) {
      const res = await apiRequest(rt, 'POST', cmPath, req);
      expect(res.status, what).toBe(code);
      expect(res.json(), what).toMatchObject({ kind: 'Status', status: 'Failure', reason, code });
    }
    const list = await apiRequest(rt, 'GET', cmPath);
    expect(list.json().items).toEqual([]);
  });

  it('sends lists and objects as JSON a client reads back unchanged, pages included', async () => {
    for (const name of ['text-a', 'text-b', 'text-c']) {
      expect((await apiRequest(rt, 'POST', cmPath, { body: configMap(name, { data: { k: `"quoted" ${name}\n`, '1': 'integer-like key' } }), contentType: json })).status).toBe(201);
    }
    const whole = await apiRequest(rt, 'GET', `${cmPath}?labelSelector=`);
    const list = whole.json();
    expect(list).toMatchObject({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: expect.any(String) } });
    // The bytes are those JSON.stringify gives the parsed list: same key order, same escapes.
    expect(whole.text).toBe(JSON.stringify(list));
    const names = list.items.map((i: { metadata: { name: string } }) => i.metadata.name).filter((n: string) => n.startsWith('text-'));
    expect(names).toEqual(['text-a', 'text-b', 'text-c']);
    for (const item of list.items.filter((i: { metadata: { name: string } }) => i.metadata.name.startsWith('text-'))) {
      const one = await apiRequest(rt, 'GET', `${cmPath}/${item.metadata.name}`);
      expect(one.text).toBe(JSON.stringify(item));
    }
    const first = await apiRequest(rt, 'GET', `${cmPath}?limit=2`);
    expect(first.text).toBe(JSON.stringify(first.json()));
    expect(first.json().metadata).toMatchObject({ continue: expect.any(String), remainingItemCount: expect.any(Number) });
    const rest = await apiRequest(rt, 'GET', `${cmPath}?limit=2&continue=${encodeURIComponent(first.json().metadata.continue)}`);
    expect([...first.json().items, ...rest.json().items].map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name));
  });

  it('answers unknown paths and kinds with a 404 Status', async () => {
    for (const path of ['/api/v1/namespaces/edge/widgets', '/apis/batch/v1/widgets', '/nothing/here', '/api/v1/namespaces/edge/pods/p/exec']) {
      const res = await apiRequest(rt, 'GET', path);
      expect(res.status, path).toBe(404);
      expect(res.json()).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    }
  });

  it('validates at the edge: 422 Invalid with one cause per field', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'Not_A_Name' },
      spec: {
        selector: { matchLabels: { app: 'a' } },
        template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ image: 'x', ports: [{ containerPort: 99999 }] }, { name: 'c', image: 'y' }, { name: 'c' }] } },
      },
    };
    const res = await apiRequest(rt, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, { body: JSON.stringify(deployment), contentType: json });
    expect(res.status).toBe(422);
    const status = res.json();
    expect(status.reason).toBe('Invalid');
    const fields = status.details.causes.map((c: { field: string; message: string }) => `${c.field}: ${c.message.split(':')[0]}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'metadata.name: Invalid value',
        'spec.template.metadata.labels: Invalid value',
        'spec.template.spec.containers[0].name: Required value',
        'spec.template.spec.containers[0].ports[0].containerPort: Invalid value',
        'spec.template.spec.containers[2].image: Required value',
        'spec.template.spec.containers[2].name: Duplicate value',
      ]),
    );
    const noSelector = structuredClone(deployment) as any;
    noSelector.metadata.name = 'nosel';
    delete noSelector.spec.selector;
    noSelector.spec.template.spec.containers = [{ name: 'web', image: 'x' }];
    const res2 = await apiRequest(rt, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, { body: JSON.stringify(noSelector), contentType: json });
    expect(res2.status).toBe(422);
    expect(res2.json().message).toContain('spec.selector: Required value');
  });

  it('kubectl shows the invalid field the way Kubernetes words it', async () => {
    const manifest = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: broken\n  namespace: ${ns}\nspec:\n  selector:\n    matchLabels: {app: broken}\n  template:\n    metadata:\n      labels: {app: broken}\n    spec:\n      containers:\n      - image: nginx\n`;
    const r = await kubectl(rt.kubeconfig, ['apply', '-f', '-'], manifest);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.template.spec.containers[0].name: Required value');
  });

  it('accepts YAML bodies, drops unknown fields and warns about them (fieldValidation=Warn, the default)', async () => {
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\nsurprise: kept\n`;
    const res = await apiRequest(rt, 'POST', cmPath, { body: yaml, contentType: 'application/yaml' });
    expect(res.status).toBe(201);
    expect(String(res.headers.warning)).toContain('unknown field \\"surprise\\"');
    const got = await apiRequest(rt, 'GET', `${cmPath}/from-yaml`);
    expect(got.json()).toMatchObject({ data: { k: 'v' } });
    expect(got.json().surprise).toBeUndefined();
  });

  it('PUT with a stale resourceVersion is a 409 Conflict', async () => {
    const created = (await apiRequest(rt, 'POST', cmPath, { body: configMap('cas'), contentType: json })).json();
    const first = { ...created, data: { a: 'first' } };
    expect((await apiRequest(rt, 'PUT', `${cmPath}/cas`, { body: JSON.stringify(first), contentType: json })).status).toBe(200);
    const stale = { ...created, data: { a: 'stale' } };
    const res = await apiRequest(rt, 'PUT', `${cmPath}/cas`, { body: JSON.stringify(stale), contentType: json });
    expect(res.status).toBe(409);
    expect(res.json()).toMatchObject({ reason: 'Conflict' });
    expect((await apiRequest(rt, 'GET', `${cmPath}/cas`)).json().data).toEqual({ a: 'first' });
  });

  it('apply-patch on a missing object creates it; fieldManager is required', async () => {
    const body = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  x: "1"\n`;
    const noManager = await apiRequest(rt, 'PATCH', `${cmPath}/applied`, { body, contentType: 'application/apply-patch+yaml' });
    // kube-apiserver's ValidatePatchOptions: 422 on PatchOptions, not a 400.
    expect(noManager.status).toBe(422);
    expect(noManager.json().message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const res = await apiRequest(rt, 'PATCH', `${cmPath}/applied?fieldManager=edge-test`, { body, contentType: 'application/apply-patch+yaml' });
    expect(res.status).toBe(201);
    expect(res.json().metadata.managedFields[0]).toMatchObject({ manager: 'edge-test', operation: 'Apply' });
  });

  it('watch: a too-old resourceVersion ends the stream with an ERROR event carrying 410 Expired', async () => {
    // SIGTERM closes cleanly (exit 0); the restarted runtime keeps its token, kubeconfig and objects.
    expect(await rt.stop()).toBe(0);
    const before = rt.token;
    rt = await startRuntimeProcess(rt.stateDir);
    expect(rt.token).toBe(before);
    expect((await apiRequest(rt, 'GET', `${cmPath}/cas`)).status).toBe(200);
    const res = await apiRequest(rt, 'GET', `${cmPath}?watch=true&resourceVersion=1`);
    expect(res.status).toBe(200);
    const events = res.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(events).toEqual([{ type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) }]);
  });

  it('serves server-side printing, discovery and OpenAPI as kubectl needs them', async () => {
    const table = await apiRequest(rt, 'GET', cmPath, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    expect(table.json()).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(table.json().columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Data', 'Age']);

    const metadataOnly = await apiRequest(rt, 'GET', cmPath, { accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json' });
    expect(metadataOnly.json().kind).toBe('PartialObjectMetadataList');
    expect(metadataOnly.json().items.every((i: { kind: string; data?: unknown }) => i.kind === 'PartialObjectMetadata' && i.data === undefined)).toBe(true);

    const aggregated = await apiRequest(rt, 'GET', '/apis', { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    expect(aggregated.headers['content-type']).toMatch(/^application\/json/);
    expect(aggregated.json().kind).toBe('APIGroupList');
    const apps = (await apiRequest(rt, 'GET', '/apis/apps/v1')).json();
    expect(apps.resources.find((r: { name: string }) => r.name === 'deployments/scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });

    const index = (await apiRequest(rt, 'GET', '/openapi/v3')).json();
    expect(Object.keys(index.paths).sort()).toEqual(['api/v1', 'apis/apiextensions.k8s.io/v1', 'apis/apps/v1', 'apis/autoscaling/v1', 'apis/autoscaling/v2', 'apis/batch/v1', 'apis/coordination.k8s.io/v1', 'apis/networking.k8s.io/v1', 'apis/node.k8s.io/v1', 'apis/policy/v1', 'apis/rbac.authorization.k8s.io/v1', 'apis/scheduling.k8s.io/v1', 'apis/storage.k8s.io/v1']);
    const appsDoc = (await apiRequest(rt, 'GET', index.paths['apis/apps/v1'].serverRelativeURL)).json();
    const patch = appsDoc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    expect(patch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
    expect(Object.keys(patch.requestBody.content)).toContain('application/strategic-merge-patch+json');
    expect(appsDoc.components.schemas['io.k8s.api.apps.v1.Deployment']).toBeDefined();
    expect(Object.keys(appsDoc.paths)).toContain('/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}/scale');
    // Kinds the runtime does not serve are left out of the documents.
    const coreDoc = (await apiRequest(rt, 'GET', index.paths['api/v1'].serverRelativeURL)).json();
    expect(Object.keys(coreDoc.paths).some((p) => p.includes('podtemplates'))).toBe(false);
  });

  it('pods/log serves a running container\'s output and a NotFound Status for an unknown pod', async () => {
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], `apiVersion: v1\nkind: Pod\nmetadata:\n  name: chatty\n  namespace: ${ns}\nspec:\n  containers:\n  - name: main\n    image: busybox\n    command: [sh, -c, 'echo hello-from-pod; exec sleep 60']\n`);
    let out = '';
    for (let i = 0; i < 100 && !out.includes('hello-from-pod'); i++) {
      out = (await kubectl(rt.kubeconfig, ['logs', 'chatty', '-n', ns])).stdout;
      if (!out.includes('hello-from-pod')) await new Promise((r) => setTimeout(r, 200));
    }
    expect(out).toContain('hello-from-pod');
    const missing = await kubectl(rt.kubeconfig, ['logs', 'nosuchpod', '-n', ns]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('pods "nosuchpod" not found');
    await kubectlOk(rt.kubeconfig, ['delete', 'pod', 'chatty', '-n', ns, '--grace-period=1']);
  });

  it('a repeated server-side apply that changes nothing keeps the resourceVersion', async () => {
    const path = `/api/v1/namespaces/${ns}/configmaps/noop?fieldManager=baton&force=true`;
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'noop', namespace: ns }, data: { a: 'b' } });
    const first = await apiRequest(rt, 'PATCH', path, { body, contentType: 'application/apply-patch+yaml' });
    expect(first.status).toBe(201);
    // managedFields times have a one-second resolution: make sure the second apply gets a new one.
    await new Promise((r) => setTimeout(r, 1100));
    const second = await apiRequest(rt, 'PATCH', path, { body, contentType: 'application/apply-patch+yaml' });
    expect(second.status).toBe(200);
    expect(second.json().metadata.resourceVersion).toBe(first.json().metadata.resourceVersion);
    const changed = await apiRequest(rt, 'PATCH', path, { body: body.replace('"b"', '"c"'), contentType: 'application/apply-patch+yaml' });
    expect(Number(changed.json().metadata.resourceVersion)).toBeGreaterThan(Number(first.json().metadata.resourceVersion));
  });

  it('serves autoscaling/v1 Scale for deployments (get, update, patch) and keeps spec out of /status writes', async () => {
    const deploy = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: scaled\n  namespace: ${ns}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: scaled}\n  template:\n    metadata:\n      labels: {app: scaled}\n    spec:\n      containers:\n      - name: web\n        image: registry.example/web:1\n`;
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], deploy);
    const path = `/apis/apps/v1/namespaces/${ns}/deployments/scaled`;
    const scale = (await apiRequest(rt, 'GET', `${path}/scale`)).json();
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { selector: 'app=scaled' } });
    // Without a resourceVersion the write is unconditional (the deployment controller may be updating status meanwhile).
    const unconditional = { ...scale, metadata: { ...scale.metadata, resourceVersion: undefined }, spec: { replicas: 4 } };
    const put = await apiRequest(rt, 'PUT', `${path}/scale`, { body: JSON.stringify(unconditional), contentType: json });
    expect(put.json().spec.replicas).toBe(4);
    const stale = await apiRequest(rt, 'PUT', `${path}/scale`, { body: JSON.stringify({ ...scale, spec: { replicas: 9 } }), contentType: json });
    expect(stale.status).toBe(409);
    const patched = await apiRequest(rt, 'PATCH', `${path}/scale`, { body: '{"spec":{"replicas":1}}', contentType: 'application/merge-patch+json' });
    expect(patched.json().spec.replicas).toBe(1);
    const negative = await apiRequest(rt, 'PATCH', `${path}/scale`, { body: '{"spec":{"replicas":-1}}', contentType: 'application/merge-patch+json' });
    expect(negative.status).toBe(422);

    const status = await apiRequest(rt, 'PATCH', `${path}/status`, {
      body: JSON.stringify({ spec: { replicas: 7 }, status: { observedGeneration: 1, replicas: 0 } }),
      contentType: 'application/merge-patch+json',
    });
    expect(status.status).toBe(200);
    const after = (await apiRequest(rt, 'GET', path)).json();
    expect(after.spec.replicas).toBe(1);
  });

  it('delete honours a DeleteOptions body and deletecollection removes by selector', async () => {
    for (const name of ['dc-1', 'dc-2', 'dc-keep']) {
      const labels = name === 'dc-keep' ? { keep: 'yes' } : { sweep: 'yes' };
      await apiRequest(rt, 'POST', cmPath, { body: configMap(name, { metadata: { name, labels } }), contentType: json });
    }
    const one = await apiRequest(rt, 'DELETE', `${cmPath}/dc-1`, { body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' }), contentType: json });
    expect(one.status, one.text).toBe(200);
    // ValidateDeleteOptions: 422 on DeleteOptions, the pointer's value printed and "nil" among the supported.
    const bad = await apiRequest(rt, 'DELETE', `${cmPath}/dc-2?propagationPolicy=Sideways`);
    expect(bad.status, bad.text).toBe(422);
    expect(bad.json().message).toBe('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"');
    // Options come from the body when there is one: the query's are not read then, as kube-apiserver does.
    const both = await apiRequest(rt, 'DELETE', `${cmPath}/dc-2?propagationPolicy=Sideways&orphanDependents=true`, { body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] }), contentType: json });
    expect(both.status, both.text).toBe(200);
    const mixed = await apiRequest(rt, 'DELETE', `${cmPath}/dc-2?propagationPolicy=Orphan&orphanDependents=false`);
    expect(mixed.status, mixed.text).toBe(422);
    expect(mixed.json().details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'propagationPolicy', message: 'Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set' }]);
    const many = await apiRequest(rt, 'DELETE', `${cmPath}?labelSelector=sweep%3Dyes`);
    expect(many.status).toBe(200);
    expect(many.json().items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['dc-2']);
    const left = (await apiRequest(rt, 'GET', `${cmPath}?labelSelector=keep%3Dyes`)).json().items;
    expect(left.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['dc-keep']);
  });
});
