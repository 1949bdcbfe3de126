import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';
import { waitFor } from '../support/wait.js';

let rt: RuntimeProcess;
const ns = 'netkit';
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, args);
const apply = (manifest: string) => kubectl(rt.kubeconfig, ['apply', '-f', '-'], manifest);
const applyOk = (manifest: string) => kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifest);

beforeAll(async () => {
  rt = await startRuntimeProcess(undefined, ['--default-runtime-class', 'process', '--ingress-class', 'nginx,traefik']);
  await k('create', 'namespace', ns);
}, 90_000);

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

/** The example of https://kubernetes.io/docs/concepts/services-networking/network-policies/. */
const TEST_NETWORK_POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: test-network-policy
  namespace: ${ns}
spec:
  podSelector:
    matchLabels:
      role: db
  policyTypes:
  - Ingress
  - Egress
  ingress:
  - from:
    - ipBlock:
        cidr: 172.17.0.0/16
        except:
        - 172.17.1.0/24
    - namespaceSelector:
        matchLabels:
          project: myproject
    - podSelector:
        matchLabels:
          role: frontend
    ports:
    - protocol: TCP
      port: 6379
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/24
    ports:
    - protocol: TCP
      port: 5978
`;

const policy = (name: string, spec: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n${spec}`;
const ingressClass = (name: string, controller: string) => `apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: ${name}\nspec:\n  controller: ${controller}\n`;
const ingress = (name: string, extra = '') =>
  `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n${extra}spec:\n  defaultBackend:\n    service:\n      name: web\n      port:\n        number: 80\n`;

describe('NetworkPolicy through kubectl', () => {
  it("applies the Kubernetes docs' test-network-policy and lists it as a cluster does", async () => {
    expect(await applyOk(TEST_NETWORK_POLICY)).toContain('networkpolicy.networking.k8s.io/test-network-policy created');
    const table = (await k('get', 'netpol', '-n', ns)).split('\n');
    expect(table[0]).toMatch(/^NAME\s+POD-SELECTOR\s+AGE$/);
    expect(table[1]).toMatch(/^test-network-policy\s+role=db\s+\d+s$/);
    const stored = JSON.parse(await k('get', 'networkpolicy/test-network-policy', '-n', ns, '-o', 'json'));
    expect(stored.spec.ingress[0].from[0].ipBlock).toEqual({ cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] });
    expect(stored.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 5978 }]);
    expect(await k('explain', 'networkpolicy.spec.podSelector')).toContain('LabelSelector');
  });

  it('fills in what Kubernetes defaults: TCP ports, policyTypes from the rules', async () => {
    await applyOk(policy('deny-egress', '  podSelector: {}\n  egress:\n  - ports:\n    - port: 53\n'));
    const stored = JSON.parse(await k('get', 'netpol/deny-egress', '-n', ns, '-o', 'json'));
    expect(stored.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(stored.spec.egress[0].ports).toEqual([{ port: 53, protocol: 'TCP' }]);
    expect((await k('get', 'netpol/deny-egress', '-n', ns)).split('\n')[1]).toMatch(/^deny-egress\s+<none>\s+/);
  });

  it('refuses a bad policy naming the field, and stores nothing', async () => {
    const outside = await apply(policy('bad-except', '  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/16\n        except:\n        - 10.1.0.0/24\n'));
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toContain('The NetworkPolicy "bad-except" is invalid: spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`');
    const noSelector = await apply(policy('no-selector', '  policyTypes:\n  - Ingress\n'));
    expect(noSelector.stderr).toContain('spec.podSelector: Required value');
    const badPort = await apply(policy('bad-port', '  podSelector: {}\n  ingress:\n  - ports:\n    - protocol: ICMP\n      port: 80\n      endPort: 70\n'));
    expect(badPort.stderr).toContain('spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP"');
    expect(badPort.stderr).toContain('spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`');
    expect(await k('get', 'netpol', '-n', ns, '-o', 'name')).not.toMatch(/bad-except|no-selector|bad-port/);
  });
});

describe('IngressClass through kubectl', () => {
  it("lists the runtime's own class baton beside a user's", async () => {
    expect(await applyOk(ingressClass('haproxy', 'haproxy.org/ingress-controller/haproxy'))).toContain('ingressclass.networking.k8s.io/haproxy created');
    const table = (await k('get', 'ingressclass')).split('\n');
    expect(table[0]).toMatch(/^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE$/);
    expect(table).toContainEqual(expect.stringMatching(/^baton\s+baton\.dev\/ingress\s+<none>\s+\d+s$/));
    expect(table).toContainEqual(expect.stringMatching(/^haproxy\s+haproxy\.org\/ingress-controller\/haproxy\s+<none>\s+/));
  });

  it('requires spec.controller and refuses to change it', async () => {
    const missing = await apply(`apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: classless\nspec: {}\n`);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('The IngressClass "classless" is invalid: spec.controller: Required value');
    const changed = await apply(ingressClass('haproxy', 'example.com/other'));
    expect(changed.code).not.toBe(0);
    expect(changed.stderr).toContain('spec.controller: Invalid value: "example.com/other": field is immutable');
    expect(await k('get', 'ingressclass/haproxy', '-o', 'jsonpath={.spec.controller}')).toBe('haproxy.org/ingress-controller/haproxy');
  });

  it('serves the classes given with --ingress-class and leaves the others alone', async () => {
    await applyOk(ingress('for-haproxy', '  annotations:\n    kubernetes.io/ingress.class: haproxy\n'));
    await applyOk(ingress('for-nginx').replace('spec:\n', 'spec:\n  ingressClassName: nginx\n'));
    const address = (name: string) => k('get', `ingress/${name}`, '-n', ns, '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}');
    await waitFor('an address on the nginx Ingress', async () => (await address('for-nginx')) === '127.0.0.1', { timeoutMs: 20_000 });
    expect(await address('for-haproxy')).toBe('');
  });

  it('gives a class-less Ingress the default class on create, as Kubernetes admission does', async () => {
    expect(await k('get', 'ingressclass', 'baton', '-o', 'jsonpath={.metadata.annotations}')).toBe('');
    await applyOk(ingress('before-default'));
    expect(await k('get', 'ingress/before-default', '-n', ns, '-o', 'jsonpath={.spec.ingressClassName}')).toBe('');

    await k('annotate', 'ingressclass', 'baton', 'ingressclass.kubernetes.io/is-default-class=true');
    await applyOk(ingress('after-default'));
    await applyOk(ingress('annotated', '  annotations:\n    kubernetes.io/ingress.class: haproxy\n'));
    expect(await k('get', 'ingress/after-default', '-n', ns, '-o', 'jsonpath={.spec.ingressClassName}')).toBe('baton');
    expect(await k('get', 'ingress/annotated', '-n', ns, '-o', 'jsonpath={.spec.ingressClassName}')).toBe('');
    // Only on create: the Ingress made before keeps no class.
    expect(await k('get', 'ingress/before-default', '-n', ns, '-o', 'jsonpath={.spec.ingressClassName}')).toBe('');
    expect((await k('get', 'ingress', '-n', ns)).split('\n')).toContainEqual(expect.stringMatching(/^after-default\s+baton\s+\*\s+/));
  });
});
