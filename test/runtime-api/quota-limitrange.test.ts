import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess;
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, args);
const apply = (yaml: string) => kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], yaml);

beforeAll(async () => {
  rt = await startRuntimeProcess();
  for (const ns of ['lr', 'rq', 'rq-deploy']) await k('create', 'namespace', ns);
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const pod = (ns: string, name: string, resources = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: c\n    image: busybox\n    command: [sleep, "600"]\n${resources}`;
const cpu = (request: string, limit: string) => `    resources: {requests: {cpu: ${request}}, limits: {cpu: ${limit}}}\n`;

/** Waits for the quota controller to have given the quota its status: until then it limits nothing, as in Kubernetes. */
const quotaSynced = (ns: string, name: string) => until(`quota ${name} status`, () => k('get', 'quota', name, '-n', ns, '-o', 'jsonpath={.status.hard}'), (v) => v !== '');

describe('LimitRange', () => {
  it('defaults a new pod\'s requests and limits, and refuses one above the max in Kubernetes\' words', async () => {
    await apply(
      'apiVersion: v1\nkind: LimitRange\nmetadata: {name: cpu, namespace: lr}\nspec:\n  limits:\n  - type: Container\n    default: {cpu: 200m}\n    defaultRequest: {cpu: 100m}\n    max: {cpu: 500m}\n',
    );
    expect(await k('get', 'limitrange', '-n', 'lr')).toMatch(/^NAME\s+CREATED AT\ncpu\s+\d{4}-\d\d-\d\dT/);
    await apply(pod('lr', 'plain'));
    expect(await k('get', 'pod', 'plain', '-n', 'lr', '-o', 'jsonpath={.spec.containers[0].resources.requests.cpu}/{.spec.containers[0].resources.limits.cpu}')).toBe('100m/200m');
    expect(await k('get', 'pod', 'plain', '-n', 'lr', '-o', "jsonpath={.metadata.annotations['kubernetes\\.io/limit-ranger']}")).toBe(
      'LimitRanger plugin set: cpu request for container c; cpu limit for container c',
    );
    const big = await kubectl(rt.kubeconfig, ['apply', '-f', '-'], pod('lr', 'big', cpu('100m', '1000m')));
    expect(big.code).not.toBe(0);
    expect(big.stderr).toContain('pods "big" is forbidden: maximum cpu usage per Container is 500m, but limit is 1');
  });

  it('refuses a LimitRange whose default is above its max', async () => {
    const bad = await kubectl(rt.kubeconfig, ['apply', '-f', '-'], 'apiVersion: v1\nkind: LimitRange\nmetadata: {name: bad, namespace: lr}\nspec:\n  limits:\n  - type: Container\n    default: {cpu: "2"}\n    max: {cpu: "1"}\n');
    expect(bad.stderr).toContain('spec.limits[0].default[cpu]: Invalid value: "2": default value 2 is greater than max value 1');
  });
});

describe('ResourceQuota', () => {
  it('counts usage into status, refuses pods without requests and pods over quota, and gives the room back', async () => {
    await apply('apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: rq}\nspec:\n  hard: {pods: "2", requests.cpu: "1", limits.cpu: "2"}\n');
    await quotaSynced('rq', 'q');
    const bare = await kubectl(rt.kubeconfig, ['apply', '-f', '-'], pod('rq', 'bare'));
    expect(bare.stderr).toContain('pods "bare" is forbidden: failed quota: q: must specify limits.cpu for: c; requests.cpu for: c');
    await apply(pod('rq', 'one', cpu('100m', '200m')));
    await apply(pod('rq', 'two', cpu('100m', '200m')));
    const three = await kubectl(rt.kubeconfig, ['apply', '-f', '-'], pod('rq', 'three', cpu('100m', '200m')));
    expect(three.stderr).toContain('pods "three" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
    expect(await k('get', 'quota', '-n', 'rq')).toMatch(/^NAME\s+AGE\s+REQUEST\s+LIMIT\nq\s+\S+\s+pods: 2\/2, requests\.cpu: 200m\/1\s+limits\.cpu: 400m\/2/);
    await k('delete', 'pod', 'one', '-n', 'rq');
    await until('used pods', () => k('get', 'quota', 'q', '-n', 'rq', '-o', 'jsonpath={.status.used.pods}'), (v) => v === '1');
    await apply(pod('rq', 'three', cpu('100m', '200m')));
  });

  it('holds a Deployment\'s ReplicaSet to the quota: FailedCreate event and ReplicaFailure condition', async () => {
    await apply('apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: two-pods, namespace: rq-deploy}\nspec:\n  hard: {pods: "2"}\n');
    await quotaSynced('rq-deploy', 'two-pods');
    await k('-n', 'rq-deploy', 'create', 'deployment', 'web', '--image=busybox', '--replicas=3', '--', 'sleep', '600');
    const condition = await until(
      'ReplicaFailure',
      () => k('-n', 'rq-deploy', 'get', 'rs', '-l', 'app=web', '-o', 'jsonpath={.items[0].status.conditions[?(@.type=="ReplicaFailure")].message}'),
      (v) => v !== '',
    );
    expect(condition).toMatch(/^pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: two-pods, requested: pods=1, used: pods=2, limited: pods=2$/);
    const events = await k('-n', 'rq-deploy', 'get', 'events', '--field-selector', 'reason=FailedCreate', '-o', 'jsonpath={.items[*].message}');
    expect(events).toContain('Error creating: pods "web-');
    expect(events).toContain('exceeded quota: two-pods');
    expect((await k('-n', 'rq-deploy', 'get', 'pods', '-o', 'name')).trim().split('\n')).toHaveLength(2);
  });
});
