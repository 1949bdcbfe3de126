import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { kubectl, kubectlOk, removeDir, startRuntimeProcess, type RuntimeProcess } from './runtime-process.js';

let rt: RuntimeProcess;
const ns = 'crs';
// A fresh discovery cache: kubectl must learn of each CRD from the server, not from an old cache.
const args = (a: string[]) => [...a, '--cache-dir', join(rt.stateDir, 'kube-cache')];
const k = async (...a: string[]) => (await kubectlOk(rt.kubeconfig, args(a))).trim();
const run = (a: string[], input?: string) => kubectl(rt.kubeconfig, args(a), input);
const apply = (yaml: string, ...extra: string[]) => kubectlOk(rt.kubeconfig, args(['apply', '-f', '-', ...extra]), yaml);

/** Argo Rollouts' Rollout CRD (rollouts.argoproj.io), trimmed: its printer columns, status and scale subresources kept. */
const rolloutCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: rollouts.argoproj.io
spec:
  group: argoproj.io
  names:
    kind: Rollout
    listKind: RolloutList
    plural: rollouts
    shortNames: [ro]
    singular: rollout
  scope: Namespaced
  versions:
  - name: v1alpha1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Desired, type: integer, jsonPath: .spec.replicas, description: Number of desired pods}
    - {name: Current, type: integer, jsonPath: .status.replicas}
    - {name: Up-to-date, type: integer, jsonPath: .status.updatedReplicas}
    - {name: Available, type: integer, jsonPath: .status.availableReplicas}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.HPAReplicas, labelSelectorPath: .status.selector}
    schema:
      openAPIV3Schema:
        type: object
        required: [spec]
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
            type: object
            required: [selector]
            properties:
              replicas: {type: integer, format: int32, minimum: 0, description: Number of desired pods.}
              revisionHistoryLimit: {type: integer, format: int32, default: 10}
              selector:
                type: object
                properties:
                  matchLabels: {type: object, additionalProperties: {type: string}}
              workloadRef:
                type: object
                properties:
                  apiVersion: {type: string}
                  kind: {type: string}
                  name: {type: string}
                  scaleDown: {type: string, enum: [never, onsuccess, progressively]}
              strategy:
                type: object
                properties:
                  canary:
                    type: object
                    properties:
                      maxSurge: {anyOf: [{type: integer}, {type: string}], x-kubernetes-int-or-string: true}
                      steps:
                        type: array
                        items:
                          type: object
                          properties:
                            setWeight: {type: integer, format: int32}
              template: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status:
            type: object
            properties:
              HPAReplicas: {type: integer, format: int32}
              replicas: {type: integer, format: int32}
              updatedReplicas: {type: integer, format: int32}
              availableReplicas: {type: integer, format: int32}
              selector: {type: string}
              phase: {type: string}
`;

const rollout = (name: string, spec: string) => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: ${name}
  namespace: ${ns}
spec:
${spec}`;

const goodSpec = `  replicas: 2
  selector: {matchLabels: {app: demo}}
  strategy: {canary: {maxSurge: "25%", steps: [{setWeight: 20}]}}
  template: {metadata: {labels: {app: demo}}, spec: {containers: [{name: demo, image: registry.example/demo:1}]}}
`;

beforeAll(async () => {
  rt = await startRuntimeProcess();
  await k('create', 'namespace', ns);
  await apply(rolloutCrd);
  await k('wait', '--for=condition=Established', 'crd/rollouts.argoproj.io', '--timeout=30s');
});

afterAll(async () => {
  await rt?.stop();
  if (rt) await removeDir(rt.stateDir);
});

describe('CustomResourceDefinitions on the built-in runtime', () => {
  it('the CRD is Established with its names accepted, and discovery lists its kind', async () => {
    const crd = JSON.parse(await k('get', 'crd', 'rollouts.argoproj.io', '-o', 'json'));
    expect(crd.status.acceptedNames).toMatchObject({ plural: 'rollouts', kind: 'Rollout', shortNames: ['ro'] });
    expect(crd.status.conditions).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'NamesAccepted', status: 'True' }),
      expect.objectContaining({ type: 'Established', status: 'True' }),
    ]));
    expect(crd.status.storedVersions).toEqual(['v1alpha1']);
    expect(await k('get', 'crds')).toMatch(/^NAME\s+CREATED AT\nrollouts\.argoproj\.io\s+\d{4}-\d\d-\d\dT/);
    const line = (await k('api-resources', '--api-group=argoproj.io')).split('\n').find((l) => l.startsWith('rollouts'));
    expect(line).toMatch(/^rollouts\s+ro\s+argoproj.io\/v1alpha1\s+true\s+Rollout/);
  });

  it('a good Rollout is applied, listed with its printer columns (by plural and short name) and explained', async () => {
    expect(await apply(rollout('web', goodSpec))).toMatch(/rollout.argoproj.io\/web created/);
    expect(await apply(rollout('web', goodSpec))).toMatch(/unchanged/);
    const table = await k('get', 'rollouts', '-n', ns);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    expect(table).toMatch(/^web\s+2\s+/m);
    expect(await k('get', 'ro', '-n', ns, '-o', 'name')).toBe('rollout.argoproj.io/web');
    expect(await k('get', 'rollouts', '-n', ns, '--field-selector', 'metadata.name=web', '-o', 'name')).toBe('rollout.argoproj.io/web');
    const bySpec = await run(['get', 'rollouts', '-n', ns, '--field-selector', 'spec.replicas=2']);
    expect(bySpec.stderr).toContain('field label not supported: spec.replicas');
    expect(await k('describe', 'rollout/web', '-n', ns)).toMatch(/Name:\s+web[\s\S]*Kind:\s+Rollout/);
    const explained = await k('explain', 'rollout.spec');
    expect(explained).toMatch(/KIND:\s+Rollout/);
    expect(explained).toMatch(/replicas\s+<integer>/);
    expect(explained).toContain('Number of desired pods.');
  });

  it('defaults are filled and unknown fields pruned (Strict refuses them, as kubectl asks by default)', async () => {
    const extra = rollout('pruned', `${goodSpec}  bogus: 1\n`);
    const strict = await run(['apply', '-f', '-'], extra);
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain('unknown field "spec.bogus"');
    await apply(extra, '--validate=false');
    const obj = JSON.parse(await k('get', 'rollout/pruned', '-n', ns, '-o', 'json'));
    expect(obj.spec.bogus).toBeUndefined();
    expect(obj.spec.revisionHistoryLimit).toBe(10);
    // Under x-kubernetes-preserve-unknown-fields everything stays.
    expect(obj.spec.template.spec.containers[0].image).toBe('registry.example/demo:1');
    expect(obj.spec.strategy.canary.maxSurge).toBe('25%');
  });

  it('a bad Rollout is refused with each field path: wrong type, missing required, not in enum', async () => {
    const bad = [
      rollout('bad-type', '  replicas: two\n  selector: {matchLabels: {app: x}}\n'),
      rollout('bad-required', '  replicas: 1\n'),
      rollout('bad-enum', '  selector: {matchLabels: {app: x}}\n  workloadRef: {scaleDown: sometimes}\n'),
    ].join('---\n');
    const result = await run(['apply', '-f', '-'], bad);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"');
    expect(result.stderr).toContain('spec.selector: Required value');
    expect(result.stderr).toContain('spec.workloadRef.scaleDown: Unsupported value: "sometimes": supported values: "never", "onsuccess", "progressively"');
    expect(await k('get', 'rollouts', '-n', ns, '-o', 'name')).not.toContain('bad-');
  });

  it('status is written only through /status, and kubectl scale goes through /scale', async () => {
    await k('patch', 'rollout/web', '-n', ns, '--type', 'merge', '-p', '{"status":{"phase":"Ignored"}}');
    expect(await k('get', 'rollout/web', '-n', ns, '-o', 'jsonpath={.status}')).toBe('');
    await k('patch', 'rollout/web', '-n', ns, '--subresource=status', '--type', 'merge', '-p', '{"spec":{"replicas":9},"status":{"HPAReplicas":2,"replicas":2,"availableReplicas":1,"selector":"app=demo"}}');
    const obj = JSON.parse(await k('get', 'rollout/web', '-n', ns, '-o', 'json'));
    expect(obj.spec.replicas).toBe(2);
    expect(obj.status).toMatchObject({ HPAReplicas: 2, replicas: 2, availableReplicas: 1 });
    expect(await k('scale', 'rollout/web', '-n', ns, '--replicas=4')).toMatch(/scaled/);
    const scale = JSON.parse(await k('get', '--raw', `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/web/scale`));
    expect(scale).toMatchObject({ kind: 'Scale', spec: { replicas: 4 }, status: { replicas: 2, selector: 'app=demo' } });
    expect(await k('get', 'rollouts', '-n', ns)).toMatch(/^web\s+4\s+2\s+1\s+\d+s$/m);
    // A server-side dry run through /scale writes nothing.
    expect(await k('scale', 'rollout/web', '-n', ns, '--replicas=7', '--dry-run=server')).toMatch(/scaled \(server dry run\)/);
    expect(await k('get', 'rollout/web', '-n', ns, '-o', 'jsonpath={.spec.replicas}')).toBe('4');
  });

  it('a strategic merge patch is refused (415) while merge and JSON patches work', async () => {
    const smp = await run(['patch', 'rollout/web', '-n', ns, '-p', '{"metadata":{"labels":{"a":"b"}}}']);
    expect(smp.code).not.toBe(0);
    expect(smp.stderr).toContain('accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    await k('patch', 'rollout/web', '-n', ns, '--type', 'json', '-p', '[{"op":"add","path":"/metadata/labels","value":{"tier":"front"}}]');
    expect(await k('get', 'rollouts', '-n', ns, '-l', 'tier=front', '-o', 'name')).toBe('rollout.argoproj.io/web');
  });

  it('a watch sees custom resources come and go', async () => {
    const watch = spawn('kubectl', args(['get', 'rollouts', '-n', ns, '-w', '--output-watch-events', '--request-timeout=50s']), { env: { ...process.env, KUBECONFIG: rt.kubeconfig } });
    let out = '';
    const seen = (re: RegExp) => new Promise<void>((done) => {
      const check = () => re.test(out) && done();
      watch.stdout.on('data', (d) => ((out += d), check()));
      check();
    });
    try {
      // The watch lists what exists first: once web shows, it is watching.
      await seen(/^ADDED\s+web\s/m);
      await apply(rollout('watched', goodSpec));
      await k('delete', 'rollout/watched', '-n', ns);
      await seen(/^DELETED\s+watched\s/m);
      expect(out).toMatch(/^ADDED\s+watched\s/m);
    } finally {
      watch.kill();
    }
  });

  it('CRDs without a structural schema, or with conversion webhooks, are refused', async () => {
    const widget = (name: string, version: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${name}.example.com}
spec:
  group: example.com
  names: {kind: W${name}, plural: ${name}}
  scope: Namespaced
${version}`;
    const unstructural = await run(['apply', '-f', '-'], widget('widgets', `  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {properties: {size: {type: integer}}}
`));
    expect(unstructural.stderr).toContain('spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields');
    const webhook = await run(['apply', '-f', '-'], widget('gadgets', `  conversion: {strategy: Webhook}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
`));
    expect(webhook.stderr).toContain('conversion webhooks are not supported');
    expect(await k('get', 'crd', '-o', 'name')).toBe('customresourcedefinition.apiextensions.k8s.io/rollouts.argoproj.io');
  });

  it('every served version is served: objects are stored in the storage version and read in the one asked for', async () => {
    const schema = '{openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: string}}}}}}';
    await apply(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - {name: v1beta1, served: true, storage: false, schema: ${schema}}
  - {name: v1, served: true, storage: true, schema: ${schema}}
`);
    await k('wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=30s');
    await apply(`apiVersion: example.com/v1beta1\nkind: Widget\nmetadata: {name: w, namespace: ${ns}}\nspec: {size: m}\n`);
    expect(JSON.parse(await k('get', '--raw', '/apis/example.com')).preferredVersion.version).toBe('v1');
    expect(await k('get', 'widgets.v1.example.com/w', '-n', ns, '-o', 'jsonpath={.apiVersion} {.spec.size}')).toBe('example.com/v1 m');
    expect(await k('get', 'widgets.v1beta1.example.com/w', '-n', ns, '-o', 'jsonpath={.apiVersion}')).toBe('example.com/v1beta1');
    // A second CRD asking for a kind the group already has is not Established.
    await apply(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmos.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: gizmos}
  scope: Namespaced
  versions:
  - {name: v1, served: true, storage: true, schema: ${schema}}
`);
    await k('wait', '--for=condition=NamesAccepted=False', 'crd/gizmos.example.com', '--timeout=30s');
    const gizmos = JSON.parse(await k('get', 'crd', 'gizmos.example.com', '-o', 'json'));
    expect(gizmos.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Established', status: 'False' })]));
    expect((await run(['get', 'gizmos', '-n', ns])).code).not.toBe(0);
    await k('delete', 'crd', 'gizmos.example.com', 'widgets.example.com');
  });

  it('custom resources and their CRD survive a restart of the runtime', async () => {
    await rt.stop();
    rt = await startRuntimeProcess(rt.stateDir);
    expect(await k('get', 'rollout/web', '-n', ns, '-o', 'jsonpath={.spec.replicas}')).toBe('4');
    expect(await k('get', 'rollouts', '-n', ns)).toMatch(/^NAME\s+DESIRED\s+CURRENT/);
  });

  it('deleting a namespace deletes its custom resources', async () => {
    await k('create', 'namespace', 'crs-doomed');
    await apply(rollout('doomed', goodSpec).replace(`namespace: ${ns}`, 'namespace: crs-doomed'));
    expect(await k('delete', 'namespace', 'crs-doomed')).toMatch(/deleted/);
    expect(await k('get', 'rollouts', '-A', '-o', 'name')).not.toContain('doomed');
  });

  it('deleting the CRD deletes its custom resources and stops serving them', async () => {
    expect(await k('delete', 'crd', 'rollouts.argoproj.io')).toMatch(/deleted/);
    const gone = await run(['get', 'rollouts', '-n', ns]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/the server doesn't have a resource type "rollouts"|the server could not find the requested resource/);
    await apply(rolloutCrd);
    await k('wait', '--for=condition=Established', 'crd/rollouts.argoproj.io', '--timeout=30s');
    expect(await k('get', 'rollouts', '-A', '-o', 'name')).toBe('');
  });
});
