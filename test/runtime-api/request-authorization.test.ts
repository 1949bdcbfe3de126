import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

/**
 * What a ServiceAccount token may do through paths, queries and bodies shaped
 * to make the authorizer see a smaller request than the handler serves: each
 * case is a request an attacker holding that token would send.
 */
let rt: RuntimeProcess;
const ns = 'authz-a';
let token = '';
const json = 'application/json';
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, args);

const POLICY = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: one-secret, namespace: ${ns}}
rules:
- {apiGroups: [""], resources: [secrets], resourceNames: [allowed], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [configmaps], verbs: [watch, patch]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: probe-one-secret, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: one-secret}
subjects: [{kind: ServiceAccount, name: probe, namespace: ${ns}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: authz-any-path-reader}
rules:
- {nonResourceURLs: ["*"], verbs: [get, post]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: authz-any-path-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: authz-any-path-reader}
subjects: [{kind: ServiceAccount, name: probe, namespace: ${ns}}]
`;

/** The start of a streamed answer: its status and what came within `ms` (a watch never ends by itself). */
function streamStart(path: string, ms = 1500): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const req = request(new URL(path, rt.url), { method: 'GET', headers: { authorization: `Bearer ${token}` }, ca: rt.ca }, (res) => {
      let text = '';
      const finish = () => {
        clearTimeout(timer);
        req.destroy();
        done({ status: res.statusCode ?? 0, text });
      };
      const timer = setTimeout(finish, ms);
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', finish);
    });
    req.on('error', fail);
    req.end();
  });
}

const names = (list: { items: Array<{ metadata: { name: string } }> }) => list.items.map((i) => i.metadata.name).sort();

beforeAll(async () => {
  rt = await startRuntimeProcess();
  await k('create', 'namespace', ns);
  for (const name of ['allowed', 'other']) await k('create', 'secret', 'generic', name, '-n', ns, `--from-literal=password=${name}-value`);
  await k('create', 'configmap', 'keep', '-n', ns, '--from-literal=a=b');
  await k('create', 'serviceaccount', 'probe', '-n', ns);
  await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], POLICY);
  token = (await k('create', 'token', 'probe', '-n', ns, '--duration=10m')).trim();
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

describe('request attributes the authorizer decides on', () => {
  it('serves only GET on the legacy /watch/ path: the watch verb neither creates nor deletes', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'planted' }, data: { a: 'b' } });
    const created = await apiRequest(rt, 'POST', `/api/v1/watch/namespaces/${ns}/configmaps`, { token, body, contentType: json });
    expect(created.status).toBe(405);
    expect(created.json()).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed' });
    const erased = await apiRequest(rt, 'DELETE', `/api/v1/watch/namespaces/${ns}/configmaps`, { token });
    expect(erased.status).toBe(405);
    const replaced = await apiRequest(rt, 'PUT', `/api/v1/watch/namespaces/${ns}/configmaps/keep`, { token, body: body.replace('planted', 'keep'), contentType: json });
    expect(replaced.status).toBe(405);
    expect(names(JSON.parse(await k('get', 'configmaps', '-n', ns, '-o', 'json')))).toEqual(['keep']);
    expect(await k('get', 'configmap', 'keep', '-n', ns, '-o', 'jsonpath={.data.a}')).toBe('b');
    // The watch it does grant still works there.
    const watch = await streamStart(`/api/v1/watch/namespaces/${ns}/configmaps`);
    expect(watch.status).toBe(200);
    expect(watch.text).toContain('"name":"keep"');
  });

  it('lets a list or watch granted by resourceNames see that object only, whatever else the field selector says', async () => {
    const own = await apiRequest(rt, 'GET', `/api/v1/namespaces/${ns}/secrets?fieldSelector=metadata.name%3Dallowed`, { token });
    expect(own.status).toBe(200);
    expect(names(own.json())).toEqual(['allowed']);
    // `\,` escapes the comma: the store reads one term `metadata.namespace != "zz,metadata.name=allowed"`, true of every Secret.
    const smuggled = 'metadata.namespace!%3Dzz%5C%2Cmetadata.name%3Dallowed';
    const list = await apiRequest(rt, 'GET', `/api/v1/namespaces/${ns}/secrets?fieldSelector=${smuggled}`, { token });
    expect(list.status).toBe(403);
    expect(list.text).not.toContain('other');
    const watch = await streamStart(`/api/v1/namespaces/${ns}/secrets?watch=1&fieldSelector=${smuggled}`);
    expect(watch.status).toBe(403);
    expect(watch.text).not.toContain('"name":"other"');
  });

  it("refuses a named watch whose field selector would swallow the object's name, as Kubernetes does", async () => {
    const own = await streamStart(`/api/v1/namespaces/${ns}/secrets/allowed?watch=1`);
    expect(own.status).toBe(200);
    expect(own.text).toContain('"name":"allowed"');
    expect(own.text).not.toContain('"name":"other"');
    for (const path of [`/api/v1/namespaces/${ns}/secrets/allowed?watch=1`, `/api/v1/watch/namespaces/${ns}/secrets/allowed?`]) {
      const swallowed = await streamStart(`${path}&fieldSelector=metadata.namespace!%3Dzz%5C`);
      expect(swallowed.text).not.toContain('"name":"other"');
      expect(swallowed.status).toBe(400);
      expect(JSON.parse(swallowed.text)).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: "fieldSelector metadata.name doesn't match requested name" });
    }
  });

  it('authorizes a %-escaped path as the handler serves it: /%61pi/v1 is /api/v1, a resource request', async () => {
    // The token holds `get` on every non-resource URL, and nothing on other namespaces' Secrets.
    expect((await apiRequest(rt, 'GET', '/version', { token })).status).toBe(200);
    for (const path of [`/%61pi/v1/namespaces/${ns}/secrets`, `/api/v1/%6eamespaces/${ns}/secrets/other`, `/api/v1/namespaces/${ns}/secrets/%6fther`]) {
      const res = await apiRequest(rt, 'GET', path, { token });
      expect(res.status, path).toBe(403);
      expect(res.text, path).not.toContain('other-value');
    }
  });

  it('lets a server-side apply create an object only for a user who may create it, as Kubernetes asks', async () => {
    const apply = (name: string) =>
      apiRequest(rt, 'PATCH', `/api/v1/namespaces/${ns}/configmaps/${name}?fieldManager=probe`, {
        token,
        body: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {applied: "yes"}\n`,
        contentType: 'application/apply-patch+yaml',
      });
    const made = await apply('applied-new');
    expect(made.status).toBe(403);
    expect(made.json()).toMatchObject({ kind: 'Status', reason: 'Forbidden', details: { name: 'applied-new', kind: 'configmaps' } });
    expect(made.json().message).toContain('cannot create resource "configmaps"');
    expect((await kubectl(rt.kubeconfig, ['get', 'configmap', 'applied-new', '-n', ns])).code).not.toBe(0);
    // Patching what exists is what `patch` grants.
    const patched = await apply('keep');
    expect(patched.status).toBe(200);
    expect(patched.json().data).toMatchObject({ applied: 'yes' });
  });

  it('serves paths as Kubernetes does, case and all: /API/V1/… is no resource path, and no route answers it', async () => {
    // The token holds get and post on every non-resource URL; /API/… is one to the authorizer, so nothing may serve it as the API.
    await k('create', 'serviceaccount', 'deployer', '-n', ns);
    await k('create', 'clusterrolebinding', 'authz-deployer-admin', '--clusterrole=cluster-admin', `--serviceaccount=${ns}:deployer`);
    const minted = await apiRequest(rt, 'POST', `/API/V1/NAMESPACES/${ns}/SERVICEACCOUNTS/deployer/TOKEN`, { token, body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }), contentType: json });
    expect(minted.text).not.toContain('"token"');
    expect(minted.status).toBe(404);
    for (const path of [`/APIS/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`, '/API/v1', '/APIS']) {
      const res = await apiRequest(rt, 'GET', path, { token });
      expect(res.status, path).toBe(404);
      expect(res.json(), path).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    }
    // Discovery at the real paths still answers.
    expect((await apiRequest(rt, 'GET', '/api/v1', { token })).status).toBe(200);
  });

  it('refuses a binding to a role that does not exist to a user who may not bind it, as Kubernetes does', async () => {
    const binding = (name: string, role: string) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: 'probe', namespace: ns }],
    });
    const path = `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`;
    const early = await apiRequest(rt, 'POST', path, { token, body: JSON.stringify(binding('early', 'authz-not-yet')), contentType: json });
    expect(early.status).toBe(404);
    expect(early.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'clusterroles.rbac.authorization.k8s.io "authz-not-yet" not found' });
    expect((await kubectl(rt.kubeconfig, ['get', 'rolebinding', 'early', '-n', ns])).code).not.toBe(0);
    // A role it holds every rule of binds as before.
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: authz-held}\nrules:\n- {apiGroups: [""], resources: [configmaps], verbs: [watch]}\n');
    const held = await apiRequest(rt, 'POST', path, { token, body: JSON.stringify(binding('held', 'authz-held')), contentType: json });
    expect(held.status).toBe(201);
  });

  it('takes each --as-group of an impersonation as a group of its own, as kubectl sends them', async () => {
    const out = await k('auth', 'whoami', '--as=jane', '--as-group=authz-a', '--as-group=authz-b', '-o', 'json');
    expect(JSON.parse(out).status.userInfo).toMatchObject({ username: 'jane', groups: expect.arrayContaining(['authz-a', 'authz-b', 'system:authenticated']) });
    expect(JSON.parse(out).status.userInfo.groups).not.toContain('authz-a, authz-b');
  });

  it('impersonates a ServiceAccount only under a valid namespace and name, with its groups unless others are asked for, as the impersonation filter does', async () => {
    const whoami = async (...args: string[]) => JSON.parse(await k('auth', 'whoami', '-o', 'json', ...args)).status.userInfo as { username: string; groups: string[] };
    expect(await whoami('--as=system:serviceaccount:authz-ns:robot')).toMatchObject({
      username: 'system:serviceaccount:authz-ns:robot',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:authz-ns', 'system:authenticated'],
    });
    // Groups asked for replace the ServiceAccount's own.
    expect((await whoami('--as=system:serviceaccount:authz-ns:robot', '--as-group=authz-a')).groups).toEqual(['authz-a', 'system:authenticated']);
    // Not a valid namespace: a user of that name, with no ServiceAccount groups.
    expect((await whoami('--as=system:serviceaccount:Not_A_Namespace:robot')).groups).toEqual(['system:authenticated']);
    expect((await whoami('--as=system:serviceaccount::robot')).groups).toEqual(['system:authenticated']);
    // Asking for system:unauthenticated leaves system:authenticated out, and with it system:basic-user's right to review itself.
    const unauthenticated = await kubectl(rt.kubeconfig, ['auth', 'whoami', '--as=jane', '--as-group=system:unauthenticated']);
    expect(unauthenticated.code).not.toBe(0);
    expect(unauthenticated.stderr).toContain('you do not have permission to call it');
    expect((await kubectl(rt.kubeconfig, ['auth', 'whoami', '--as=system:anonymous'])).code).not.toBe(0);
  });
});
