import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';
import { waitFor } from '../support/wait.js';

let rt: RuntimeProcess;
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, args);
const MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const SA_USER = 'system:serviceaccount:rbac-a:default';
let podToken = '';

/** kubectl with a bearer token instead of the kubeconfig's admin token. */
const as = (token: string, ...args: string[]) => kubectl(rt.kubeconfig, [`--token=${token}`, ...args]);

beforeAll(async () => {
  rt = await startRuntimeProcess();
  for (const ns of ['rbac-a', 'rbac-other']) {
    await k('create', 'namespace', ns);
    await k('create', 'secret', 'generic', 'db', '-n', ns, '--from-literal=password=s3cret');
  }
  await waitFor('default ServiceAccount', async () => (await k('get', 'sa', '-n', 'rbac-a', '-o', 'name')).includes('serviceaccount/default'), { timeoutMs: 20_000, intervalMs: 200 });
  const pod = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: reader, namespace: rbac-a}',
    'spec:',
    '  terminationGracePeriodSeconds: 1',
    '  containers:',
    '  - name: main',
    '    image: busybox',
    `    command: [sh, -c, 'cat ${MOUNT}/namespace; echo; exec sleep 3600']`,
    '',
  ].join('\n');
  await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], pod);
  await waitFor('reader running', async () => (await k('get', 'pod', 'reader', '-n', 'rbac-a', '-o', 'jsonpath={.status.phase}')) === 'Running', { timeoutMs: 30_000, intervalMs: 250 });
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

describe('service account tokens and RBAC', () => {
  it('mounts the token, ca.crt and namespace into a pod', async () => {
    podToken = await k('exec', 'reader', '-n', 'rbac-a', '--', 'cat', `${MOUNT}/token`);
    expect(podToken.split('.')).toHaveLength(3);
    const claims = JSON.parse(Buffer.from(podToken.split('.')[1], 'base64url').toString());
    expect(claims.sub).toBe(SA_USER);
    expect(claims['kubernetes.io']).toMatchObject({ namespace: 'rbac-a', pod: { name: 'reader' }, serviceaccount: { name: 'default' } });
    expect(await k('exec', 'reader', '-n', 'rbac-a', '--', 'cat', `${MOUNT}/namespace`)).toBe('rbac-a');
    expect((await k('exec', 'reader', '-n', 'rbac-a', '--', 'cat', `${MOUNT}/ca.crt`)).trim()).toBe(rt.ca.trim());
    expect(await k('logs', 'reader', '-n', 'rbac-a')).toContain('rbac-a');
  });

  it("refuses another namespace's Secrets with Kubernetes' 403, and allows what a RoleBinding grants", async () => {
    const refused = await as(podToken, 'get', 'secrets', '-n', 'rbac-other');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`Error from server (Forbidden): secrets is forbidden: User "${SA_USER}" cannot list resource "secrets" in API group "" in the namespace "rbac-other"`);
    expect((await as(podToken, 'get', 'secrets', '-n', 'rbac-a')).code).not.toBe(0);

    await k('create', 'role', 'secret-reader', '-n', 'rbac-a', '--verb=get,list', '--resource=secrets');
    await k('create', 'rolebinding', 'read-secrets', '-n', 'rbac-a', '--role=secret-reader', '--serviceaccount=rbac-a:default');
    expect(await k('get', 'rolebinding', 'read-secrets', '-n', 'rbac-a')).toMatch(/^NAME\s+ROLE\s+AGE\nread-secrets\s+Role\/secret-reader\s+/);
    const allowed = await as(podToken, 'get', 'secrets', '-n', 'rbac-a', '-o', 'name');
    expect(allowed.stderr).toBe('');
    expect(allowed.stdout).toContain('secret/db');
    expect((await as(podToken, 'get', 'secret', 'db', '-n', 'rbac-other')).stderr).toContain(`secrets "db" is forbidden: User "${SA_USER}" cannot get resource "secrets" in API group "" in the namespace "rbac-other"`);
    // A user may not grant what it does not hold: the service account cannot bind itself to cluster-admin.
    const escalated = await as(podToken, 'create', 'rolebinding', 'grab', '-n', 'rbac-a', '--clusterrole=cluster-admin', '--serviceaccount=rbac-a:default');
    expect(escalated.stderr).toContain('forbidden');
  });

  it('answers kubectl auth can-i and whoami for the admin and for a service account', async () => {
    expect((await as(podToken, 'auth', 'can-i', 'list', 'secrets', '-n', 'rbac-a')).stdout.trim()).toBe('yes');
    const no = await as(podToken, 'auth', 'can-i', 'list', 'secrets', '-n', 'rbac-other');
    expect(no.stdout.trim()).toBe('no');
    expect(no.code).toBe(1);
    expect((await kubectl(rt.kubeconfig, ['auth', 'can-i', 'delete', 'nodes'])).stdout.trim()).toBe('yes');
    const list = await as(podToken, 'auth', 'can-i', '--list', '-n', 'rbac-a');
    expect(list.stdout).toMatch(/secrets\s+\[\]\s+\[\]\s+\[get list\]/);
    expect(list.stdout).toContain('selfsubjectaccessreviews.authorization.k8s.io');

    expect(await as(podToken, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}')).toMatchObject({ stdout: SA_USER });
    const groups = (await as(podToken, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.groups}')).stdout;
    for (const g of ['system:serviceaccounts', 'system:serviceaccounts:rbac-a', 'system:authenticated']) expect(groups).toContain(g);
    expect(await k('auth', 'whoami')).toMatch(/Username\s+baton-admin[\s\S]*system:masters/);

    const reviews = await k('api-resources', '--api-group=authorization.k8s.io', '-o', 'name');
    expect(reviews.split('\n')).toEqual(expect.arrayContaining(['selfsubjectaccessreviews.authorization.k8s.io', 'selfsubjectrulesreviews.authorization.k8s.io']));
    const made = await k('create', 'token', 'default', '-n', 'rbac-a', '--duration=10m');
    expect((await as(made, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}')).stdout).toBe(SA_USER);
    expect((await kubectl(rt.kubeconfig, ['create', 'token', 'default', '-n', 'rbac-a', '--duration=1m'])).stderr).toContain('may not specify a duration less than 10 minutes');
    // Bound to a pod, a token is the pod's own ServiceAccount's: reader runs as default.
    const bound = await k('create', 'token', 'default', '-n', 'rbac-a', '--bound-object-kind=Pod', '--bound-object-name=reader', '--duration=10m');
    expect(JSON.parse(Buffer.from(bound.split('.')[1], 'base64url').toString())['kubernetes.io']).toMatchObject({ pod: { name: 'reader' }, serviceaccount: { name: 'default' } });
    await k('create', 'serviceaccount', 'bystander', '-n', 'rbac-a');
    const other = await kubectl(rt.kubeconfig, ['create', 'token', 'bystander', '-n', 'rbac-a', '--bound-object-kind=Pod', '--bound-object-name=reader', '--duration=10m']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('cannot bind token for serviceaccount "bystander" to pod running with different serviceaccount name.');
  });

  it('serves an in-cluster client-node (loadFromCluster) through the kubernetes Service: 403 until bound, then its namespace\'s pods', async () => {
    expect(await k('get', 'svc', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.spec.ports[0].port}')).toBe('443');
    // A process pod has its own /tmp, where CI may have cloned the repository: client-node comes in on a hostPath volume.
    const clientNode = fileURLToPath(import.meta.resolve('@kubernetes/client-node'));
    const cut = clientNode.lastIndexOf('/node_modules/') + '/node_modules'.length;
    const [modules, inModules] = [clientNode.slice(0, cut), clientNode.slice(cut)];
    const script = [
      `const k8s = await import(${JSON.stringify(`/tmp/node_modules${inModules}`)});`,
      'const kc = new k8s.KubeConfig();',
      'kc.loadFromCluster();',
      'const api = kc.makeApiClient(k8s.CoreV1Api);',
      'for (;;) {',
      "  try { const r = await api.listNamespacedPod({ namespace: 'rbac-other' }); console.log('PODS ' + r.items.map((p) => p.metadata.name).join(',')); }",
      "  catch (e) { console.log('ERR ' + (e.code ?? '') + ' ' + String(e.body ?? e.message).replace(/\\s+/g, ' ').slice(0, 400)); }",
      '  await new Promise((r) => setTimeout(r, 500));',
      '}',
    ].join('\n');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'incluster', namespace: 'rbac-other' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'main', image: 'node', command: [process.execPath, '--input-type=module', '-e', script], volumeMounts: [{ name: 'modules', mountPath: '/tmp/node_modules', readOnly: true }] }],
        volumes: [{ name: 'modules', hostPath: { path: modules, type: 'Directory' } }],
      },
    };
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], JSON.stringify(pod));
    const logs = () => kubectl(rt.kubeconfig, ['logs', 'incluster', '-n', 'rbac-other']).then((r) => r.stdout);
    await waitFor('a 403 in the logs', async () => (await logs()).includes('ERR 403'), { timeoutMs: 30_000, intervalMs: 300 });
    expect(await logs()).toContain('pods is forbidden: User \\"system:serviceaccount:rbac-other:default\\" cannot list resource \\"pods\\"');
    await k('create', 'rolebinding', 'viewers', '-n', 'rbac-other', '--clusterrole=view', '--serviceaccount=rbac-other:default');
    await waitFor('the pod list in the logs', async () => (await logs()).includes('PODS incluster'), { timeoutMs: 20_000, intervalMs: 300 });
  });

  it('refuses a pod-bound token once its pod is deleted', async () => {
    await k('delete', 'pod', 'reader', '-n', 'rbac-a', '--grace-period=0', '--force');
    await waitFor('reader gone', async () => (await kubectl(rt.kubeconfig, ['get', 'pod', 'reader', '-n', 'rbac-a'])).code !== 0, { timeoutMs: 20_000, intervalMs: 200 });
    const refused = await as(podToken, 'get', 'secrets', '-n', 'rbac-a');
    expect(refused.stderr).toContain('Unauthorized');
  });
});
