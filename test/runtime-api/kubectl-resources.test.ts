import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allResources, resources, type ResourceName } from '../../runtime/resources/registry.js';
import { manifestFor } from './manifests.js';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess;
const ns = 'kres';
const k = (...args: string[]) => kubectlOk(rt.kubeconfig, args);

beforeAll(async () => {
  rt = await startRuntimeProcess();
  await k('create', 'namespace', ns);
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

/** What `kubectl get` prints as the header for each kind (Kubernetes' own columns). */
const headers: Record<ResourceName, RegExp> = {
  namespaces: /^NAME\s+STATUS\s+AGE/,
  nodes: /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/,
  pods: /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/,
  services: /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/,
  endpoints: /^NAME\s+ENDPOINTS\s+AGE/,
  configmaps: /^NAME\s+DATA\s+AGE/,
  resourcequotas: /^NAME\s+AGE\s+REQUEST\s+LIMIT/,
  limitranges: /^NAME\s+CREATED AT/,
  secrets: /^NAME\s+TYPE\s+DATA\s+AGE/,
  serviceaccounts: /^NAME\s+SECRETS\s+AGE/,
  events: /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/,
  deployments: /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/,
  replicasets: /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE/,
  replicationcontrollers: /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE/,
  daemonsets: /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE/,
  poddisruptionbudgets: /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE/,
  jobs: /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE/,
  horizontalpodautoscalers: /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE/,
  cronjobs: /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE/,
  runtimeclasses: /^NAME\s+HANDLER\s+AGE/,
  priorityclasses: /^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE/,
  leases: /^NAME\s+HOLDER\s+AGE/,
  ingresses: /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE/,
  ingressclasses: /^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE/,
  networkpolicies: /^NAME\s+POD-SELECTOR\s+AGE/,
  statefulsets: /^NAME\s+READY\s+AGE/,
  controllerrevisions: /^NAME\s+CONTROLLER\s+REVISION\s+AGE/,
  persistentvolumes: /^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE/,
  persistentvolumeclaims: /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE/,
  roles: /^NAME\s+CREATED AT/,
  clusterroles: /^NAME\s+CREATED AT/,
  rolebindings: /^NAME\s+ROLE\s+AGE/,
  clusterrolebindings: /^NAME\s+ROLE\s+AGE/,
  customresourcedefinitions: /^NAME\s+CREATED AT/,
  storageclasses: /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE/,
};

describe('kubectl against baton runtime, for every served resource', () => {
  it('api-resources lists every resource of the registry with its short names', async () => {
    const out = await k('api-resources');
    for (const t of allResources) {
      const line = out.split('\n').find((l) => l.split(/\s+/)[0] === t.plural);
      expect(line, t.plural).toBeDefined();
      for (const short of t.shortNames) expect(line).toContain(short);
      expect(line).toContain(t.kind);
    }
  });

  for (const t of allResources) {
    const resource = t.plural as ResourceName;
    // A CRD's name must be its plural.group: test/runtime-api/custom-resources.test.ts covers it.
    if (resource === 'customresourcedefinitions') continue;
    const name = `k-${t.singular}`;
    const ref = `${t.plural}/${name}`;
    const nsArgs = t.namespaced ? ['-n', ns] : [];

    it(`${t.plural}: apply, get, describe, label, annotate, patch (merge, json, strategic), delete`, async () => {
      if (resource === 'endpoints') {
        // Hand-written endpoints belong to a Service without a selector; the endpoints controller leaves those alone.
        await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  ports:\n  - name: http\n    port: 8080\n`);
      }
      expect(await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifestFor(resource, name, ns))).toMatch(/created/);
      // Applying the same manifest again changes nothing.
      expect(await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifestFor(resource, name, ns))).toMatch(/unchanged/);

      const table = await k('get', t.plural, ...nsArgs);
      expect(table.split('\n')[0]).toMatch(headers[resource]);
      expect(table).toContain(resource === 'events' ? 'a test event' : name);

      const yaml = await k('get', ref, ...nsArgs, '-o', 'yaml');
      expect(yaml).toContain(`name: ${name}`);
      expect(await k('describe', ref, ...nsArgs)).toMatch(new RegExp(`Name:\\s+${name}`));

      expect(await k('label', ref, ...nsArgs, 'tier=front')).toMatch(/labeled/);
      expect(await k('annotate', ref, ...nsArgs, 'note=hello')).toMatch(/annotated/);
      expect(await k('patch', ref, ...nsArgs, '--type', 'merge', '-p', '{"metadata":{"labels":{"merged":"yes"}}}')).toMatch(/patched/);
      expect(await k('patch', ref, ...nsArgs, '--type', 'json', '-p', '[{"op":"add","path":"/metadata/annotations/jsonpatched","value":"yes"}]')).toMatch(/patched/);
      expect(await k('patch', ref, ...nsArgs, '-p', '{"metadata":{"labels":{"strategic":"yes"}}}')).toMatch(/patched/);

      const obj = JSON.parse(await k('get', ref, ...nsArgs, '-o', 'json'));
      expect(obj.metadata.labels).toMatchObject({ app: name, tier: 'front', merged: 'yes', strategic: 'yes' });
      expect(obj.metadata.annotations).toMatchObject({ note: 'hello', jsonpatched: 'yes' });

      expect(await k('get', t.plural, ...nsArgs, '-l', 'tier=front', '-o', 'name')).toContain(name);
      expect(await k('get', t.plural, ...nsArgs, '-l', 'tier=back', '-o', 'name')).not.toContain(name);

      expect(await k('delete', ref, ...nsArgs)).toMatch(/deleted/);
      const gone = await kubectl(rt.kubeconfig, ['get', ref, ...nsArgs]);
      expect(gone.code).not.toBe(0);
      expect(gone.stderr).toContain('NotFound');
    });
  }

  for (const resource of ['deployments', 'replicasets'] as const) {
    it(`${resource}: kubectl scale goes through the scale subresource`, async () => {
      const name = `scaled-${resource}`;
      await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifestFor(resource, name, ns));
      expect(await k('scale', `${resource}/${name}`, '-n', ns, '--replicas=5')).toMatch(/scaled/);
      expect(await k('get', `${resource}/${name}`, '-n', ns, '-o', 'jsonpath={.spec.replicas}')).toBe('5');
      await k('delete', `${resource}/${name}`, '-n', ns);
    });
  }

  it('apply twice with a changed manifest: three-way strategic merge keeps both containers', async () => {
    const first = manifestFor('deployments', 'twice', ns);
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], first);
    const changed = first.replace('replicas: 2', 'replicas: 3').replace('registry.example/web:1.0', 'registry.example/web:1.1');
    expect(await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], changed)).toMatch(/configured/);
    const d = JSON.parse(await k('get', 'deployment/twice', '-n', ns, '-o', 'json'));
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers.map((c: { name: string; image: string }) => `${c.name}=${c.image}`)).toEqual([
      'web=registry.example/web:1.1',
      'sidecar=registry.example/sidecar:2.0',
    ]);
    expect(d.metadata.generation).toBe(2);
    // A strategic patch of one container by name leaves the other alone.
    await k('patch', 'deployment/twice', '-n', ns, '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"registry.example/sidecar:3.0"}]}}}}');
    const p = JSON.parse(await k('get', 'deployment/twice', '-n', ns, '-o', 'json'));
    expect(p.spec.template.spec.containers.map((c: { image: string }) => c.image)).toEqual(['registry.example/web:1.1', 'registry.example/sidecar:3.0']);
  });

  it('get -w streams changes as they happen', async () => {
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifestFor('configmaps', 'watched', ns));
    const watching = kubectl(rt.kubeconfig, ['get', 'configmaps', '-n', ns, '-w', '--request-timeout=8s']);
    await new Promise((r) => setTimeout(r, 1500));
    await k('create', 'configmap', 'watched-later', '-n', ns, '--from-literal=a=b');
    const result = await watching;
    expect(result.stdout.split('\n')[0]).toMatch(/^NAME\s+DATA\s+AGE/);
    expect(result.stdout).toMatch(/^watched\s+2\s/m);
    expect(result.stdout).toMatch(/^watched-later\s+1\s/m);
  });

  it('create namespace, fill it, delete namespace removes what it holds', async () => {
    await k('create', 'namespace', 'doomed');
    await k('create', 'configmap', 'c1', '-n', 'doomed', '--from-literal=a=b');
    await k('create', 'secret', 'generic', 's1', '-n', 'doomed', '--from-literal=p=q');
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifestFor('deployments', 'd1', 'doomed'));
    expect(await k('delete', 'namespace', 'doomed')).toMatch(/deleted/);
    const ns = await kubectl(rt.kubeconfig, ['get', 'namespace', 'doomed']);
    expect(ns.stderr).toContain('NotFound');
    expect(await k('get', 'configmaps,secrets,deployments', '-A', '-o', 'name')).not.toMatch(/c1|s1|d1/);
  });

  it('kubectl create (typed clients send protobuf) makes the objects it describes', async () => {
    await k('create', 'deployment', 'made', '-n', ns, '--image=registry.example/made:1.2', '--replicas=3', '--port=8080');
    await k('create', 'service', 'nodeport', 'made', '-n', ns, '--tcp=80:http');
    await k('create', 'configmap', 'made', '-n', ns, '--from-literal=a=b');
    await k('create', 'secret', 'generic', 'made', '-n', ns, '--from-literal=password=s3cret');
    const d = JSON.parse(await k('get', 'deployment/made', '-n', ns, '-o', 'json'));
    expect(d.spec).toMatchObject({ replicas: 3, selector: { matchLabels: { app: 'made' } } });
    expect(d.spec.template.spec.containers[0]).toMatchObject({ name: 'made', image: 'registry.example/made:1.2', ports: [{ containerPort: 8080, protocol: 'TCP' }] });
    const svc = JSON.parse(await k('get', 'service/made', '-n', ns, '-o', 'json'));
    expect(svc.spec).toMatchObject({ type: 'NodePort', selector: { app: 'made' }, ports: [{ port: 80, targetPort: 'http' }] });
    expect(await k('get', 'configmap/made', '-n', ns, '-o', 'jsonpath={.data.a}')).toBe('b');
    expect(Buffer.from(await k('get', 'secret/made', '-n', ns, '-o', 'jsonpath={.data.password}'), 'base64').toString()).toBe('s3cret');
  });

  it('get all lists the workloads of the "all" category', async () => {
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifestFor('services', 'allsvc', ns));
    const out = await k('get', 'all', '-n', ns);
    expect(out).toContain('service/allsvc');
    expect(out).toContain('deployment.apps/twice');
  });

  it('pods: STATUS follows kubectl rules', async () => {
    // Bound to a node other than the runtime's, so its kubelet leaves the hand-written status alone.
    const manifest = manifestFor('pods', 'crashy', ns).replace('spec:\n', 'spec:\n  nodeName: elsewhere\n');
    await kubectlOk(rt.kubeconfig, ['apply', '-f', '-'], manifest);
    const status = {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [
        { name: 'web', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: new Date(Date.now() - 30_000).toISOString() } } },
        { name: 'sidecar', ready: true, restartCount: 0, state: { running: { startedAt: new Date().toISOString() } } },
      ],
    };
    await k('patch', 'pod/crashy', '-n', ns, '--subresource=status', '--type', 'merge', '-p', JSON.stringify({ status }));
    const row = (await k('get', 'pod/crashy', '-n', ns)).split('\n')[1];
    expect(row).toMatch(/^crashy\s+1\/2\s+CrashLoopBackOff\s+4 \(\d+s ago\)\s+/);
    expect(resources.pods.subresources).toContain('status');
  });
});
