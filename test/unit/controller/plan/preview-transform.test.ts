import { describe, expect, it } from 'vitest';
import { parsePreviewAppName, previewAppName } from '../../../../controller/apps/preview-names.js';
import { previewAppSpec } from '../../../../controller/previews/preview-spec.js';
import { previewObjects } from '../../../../controller/plan/preview-transform.js';
import { parseBatonYaml } from '../../../../controller/apps/parse-baton-yaml.js';
import type { KubeObject } from '../../../../runtime/kube/object.js';

const instance = { app: 'catalog', number: 7, branch: 'cheaper-tea', sha: 'a'.repeat(40), host: 'pr-7.catalog.localhost' };

const ingress = (rules: unknown[], extra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'catalog', namespace: 'shop' }, spec: { rules, ...extra } }) as KubeObject;

describe('previewObjects', () => {
  it("rewrites every Ingress rule's host H to pr-N.H, TLS hosts too, and moves objects into pr-N", () => {
    const { objects } = previewObjects(
      [ingress([{ host: 'catalog.localhost', http: {} }, { host: 'api.catalog.localhost', http: {} }], { tls: [{ hosts: ['catalog.localhost'], secretName: 'tls' }] })],
      instance,
    );
    const spec = (objects[0] as any).spec;
    expect(spec.rules.map((r: { host: string }) => r.host)).toEqual(['pr-7.catalog.localhost', 'pr-7.api.catalog.localhost']);
    expect(spec.tls[0].hosts).toEqual(['pr-7.catalog.localhost']);
    expect(objects[0].metadata).toMatchObject({ namespace: 'pr-7', labels: { 'baton.dev/preview': '7' } });
  });

  it('gives a rule without a host pr-N.localhost and drops a default backend, so a preview never answers for production hosts', () => {
    const { objects } = previewObjects([ingress([{ http: {} }], { defaultBackend: { service: { name: 'x', port: { number: 80 } } } })], instance);
    expect((objects[0] as any).spec.rules[0].host).toBe('pr-7.localhost');
    expect((objects[0] as any).spec.defaultBackend).toBeUndefined();
  });

  it('keeps production Secrets out unless they are marked for previews, and leaves cluster-scoped objects out', () => {
    const secret = (name: string, annotations?: Record<string, string>): KubeObject =>
      ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, ...(annotations ? { annotations } : {}) }, data: { key: 'c2VjcmV0' } }) as KubeObject;
    const { objects, dropped } = previewObjects(
      [secret('payments-keys'), secret('sandbox-keys', { 'baton.dev/preview': 'true' }), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } } as KubeObject],
      instance,
    );
    expect(objects.map((o) => o.metadata.name)).toEqual(['sandbox-keys']);
    expect(dropped).toEqual([
      { kind: 'Secret', name: 'payments-keys', reason: 'a Secret reaches a preview only with the annotation baton.dev/preview: "true"' },
      { kind: 'Namespace', name: 'shop', reason: 'cluster-scoped objects are not part of previews, which change only pr-7' },
    ]);
  });
});

describe('previewObjects keeps what would loosen the fence of pr-N out', () => {
  const obj = (apiVersion: string, kind: string, name: string, rest: Record<string, unknown> = {}): KubeObject =>
    ({ apiVersion, kind, metadata: { name, namespace: 'shop' }, ...rest }) as KubeObject;
  const pods = (spec: Record<string, unknown>) => ({ template: { metadata: {}, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } } });

  it('drops NetworkPolicies, Roles, RoleBindings, Endpoints and EndpointSlices, naming why; same-named kinds of other groups stay', () => {
    const { objects, dropped } = previewObjects(
      [
        obj('networking.k8s.io/v1', 'NetworkPolicy', 'allow-all', { spec: { podSelector: {}, egress: [{}] } }),
        obj('rbac.authorization.k8s.io/v1', 'Role', 'all'),
        obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'admin', { roleRef: { kind: 'ClusterRole', name: 'cluster-admin' } }),
        obj('v1', 'Endpoints', 'direct'),
        obj('discovery.k8s.io/v1', 'EndpointSlice', 'direct-1'),
        obj('iam.example.com/v1', 'Role', 'custom'),
        obj('v1', 'Service', 'direct'),
      ],
      instance,
    );
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Role/custom', 'Service/direct']);
    expect(dropped.map((d) => `${d.kind}/${d.name}`)).toEqual(['NetworkPolicy/allow-all', 'Role/all', 'RoleBinding/admin', 'Endpoints/direct', 'EndpointSlice/direct-1']);
    expect(dropped[0].reason).toMatch(/policies add up$/);
    expect(dropped[2].reason).toBe('preview pods get no API rights');
    expect(dropped[4].reason).toMatch(/production pods$/);
  });

  it("drops workloads whose pods would use the host (Pod Security's baseline), wherever the kind keeps its pod spec", () => {
    const { objects, dropped } = previewObjects(
      [
        obj('v1', 'Pod', 'net', { spec: { hostNetwork: true, containers: [] } }),
        obj('apps/v1', 'Deployment', 'pid', { spec: pods({ hostPID: true }) }),
        obj('apps/v1', 'DaemonSet', 'ipc', { spec: pods({ hostIPC: true }) }),
        obj('apps/v1', 'StatefulSet', 'disk', { spec: pods({ volumes: [{ name: 'root', hostPath: { path: '/' } }] }) }),
        obj('batch/v1', 'CronJob', 'priv', { spec: { schedule: '* * * * *', jobTemplate: { spec: pods({ initContainers: [{ name: 'i', image: 'x', securityContext: { privileged: true } }] }) } } }),
        obj('batch/v1', 'Job', 'port', { spec: pods({ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }] }) }),
        obj('apps/v1', 'Deployment', 'sysctl', { spec: pods({ securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }, { name: 'net/core/somaxconn', value: '9' }] } }) }),
        obj('apps/v1', 'Deployment', 'caps', { spec: pods({ containers: [{ name: 'c', image: 'x', securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'CAP_SYS_ADMIN'] } } }] }) }),
        obj('apps/v1', 'Deployment', 'plain', {
          spec: pods({
            hostNetwork: false,
            securityContext: { sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '40000 50000' }] },
            volumes: [{ name: 'tmp', emptyDir: {} }],
            containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80 }], securityContext: { privileged: false, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } } }],
          }),
        }),
      ],
      instance,
    );
    expect(objects.map((o) => o.metadata.name)).toEqual(['plain']);
    expect(dropped.map((d) => `${d.kind} ${d.name}: ${d.reason}`)).toEqual([
      "Pod net: its pods use the host's network (hostNetwork), which a preview may not",
      "Deployment pid: its pods use the host's processes (hostPID), which a preview may not",
      "DaemonSet ipc: its pods use the host's IPC (hostIPC), which a preview may not",
      'StatefulSet disk: its pods use the host\'s files (hostPath volume "root"), which a preview may not',
      'CronJob priv: its pods use the host\'s devices (privileged container "i"), which a preview may not',
      'Job port: its pods use a port of the host (hostPort 8080), which a preview may not',
      "Deployment sysctl: its pods use the kernel's settings (sysctl net.core.somaxconn, not one of the safe set), which a preview may not",
      'Deployment caps: its pods use the host\'s kernel (capability SYS_ADMIN added to container "c"), which a preview may not',
    ]);
  });
});

describe('preview names and specs', () => {
  it('names a preview app pr-N.<app>, which no declared app can be named', () => {
    expect(previewAppName(12, 'catalog')).toBe('pr-12.catalog');
    expect(parsePreviewAppName('pr-12.catalog')).toEqual({ number: 12, app: 'catalog' });
    expect(parsePreviewAppName('catalog')).toBeUndefined();
    expect(parsePreviewAppName('pr-0.catalog')).toBeUndefined();
    expect(parsePreviewAppName('pr-7._bridges')).toBeUndefined();
  });

  it('layers preview values, points previewed dependencies at their previews and keeps the others on production', () => {
    const { apps } = parseBatonYaml(
      `apps:
  - { name: pricing, chart: web-service }
  - { name: frontend, chart: web-service, preview: { enabled: true } }
  - name: catalog
    chart: web-service
    namespace: shop
    set: { replicas: 3, env: { A: "1" } }
    syncPolicy: { automated: false, prune: false, pruneLimit: 3 }
    dependsOn: [pricing, frontend]
    preview: { enabled: true, values: { replicas: 1 } }
`,
      'baton.yaml',
      'repo',
    );
    const catalog = apps.find((a) => a.name === 'catalog')!;
    const spec = previewAppSpec(catalog, { number: 7, branch: 'b', sha: 'a'.repeat(40) }, new Set(['catalog', 'frontend']), catalog);
    expect(spec).toMatchObject({
      name: 'pr-7.catalog',
      namespace: 'pr-7',
      set: { replicas: 1, env: { A: '1' } },
      dependsOn: ['pricing', 'pr-7.frontend'],
      // Follows the request and prunes whatever the app says; the prune guard stays the app's.
      syncPolicy: { automated: true, prune: true, selfHeal: true, allowEmpty: false, pruneLimit: 3 },
      instance: { app: 'catalog', number: 7, branch: 'b', host: 'pr-7.catalog.localhost' },
    });
  });
  it("takes the cluster and the production dependencies from the followed branch's entry, not the request's", () => {
    const parse = (text: string) => parseBatonYaml(text, 'baton.yaml', 'repo').apps.find((a) => a.name === 'web')!;
    const followed = parse('apps:\n  - name: web\n    path: web\n    dependsOn: [db]\n  - name: db\n    path: db\n  - name: vault\n    path: vault\n');
    const head = parse(
      'apps:\n  - name: web\n    path: web\n    cluster: production\n    dependsOn: [db, vault, cache]\n    preview: { enabled: true }\n  - name: db\n    path: db\n  - name: vault\n    path: vault\n  - name: cache\n    path: cache\n    preview: { enabled: true }\n',
    );
    const of = { number: 3, branch: 'b', sha: 'a'.repeat(40) };
    expect(previewAppSpec(head, of, new Set(['web', 'cache']), followed)).toMatchObject({ cluster: 'local', dependsOn: ['db', 'pr-3.cache'] });
    expect(previewAppSpec(head, of, new Set(['web', 'cache']), { ...followed, cluster: 'staging' })).toMatchObject({ cluster: 'staging' });
    // An app the followed branch does not declare: local, and only what is previewed with it.
    expect(previewAppSpec(head, of, new Set(['web', 'cache']), undefined)).toMatchObject({ cluster: 'local', dependsOn: ['pr-3.cache'] });
  });
});

describe('baton.yaml previews settings', () => {
  it('defaults to no fork previews and the label "preview", and reports mistakes at their line', () => {
    expect(parseBatonYaml('apps: []\n', 'baton.yaml', 'r').previews).toEqual({ forks: false, forkLabel: 'preview' });
    expect(parseBatonYaml('apps: []\npreviews: { forks: true, forkLabel: safe-to-test }\n', 'baton.yaml', 'r').previews).toEqual({ forks: true, forkLabel: 'safe-to-test' });
    const { errors } = parseBatonYaml('apps: []\npreviews:\n  forks: yes please\n  fork: true\n', 'baton.yaml', 'r');
    expect(errors.map((e) => e.format())).toEqual([
      expect.stringMatching(/^baton\.yaml:3:10: .*previews\.forks.*true or false/),
      expect.stringMatching(/^baton\.yaml:4:3: .*previews\.fork.*did you mean "forks"/),
    ]);
  });
});
