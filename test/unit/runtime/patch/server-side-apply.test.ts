import { describe, expect, it } from 'vitest';
import { StatusError } from '../../../../runtime/errors/status-error.js';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { recordUpdate, serverSideApply } from '../../../../runtime/patch/index.js';

const now = '2026-01-02T03:04:05Z';

function config(over: { replicas?: number; image?: string; env?: unknown[]; labels?: Record<string, string>; extra?: unknown[] } = {}): KubeObject {
  const labels = over.labels ?? { app: 'web' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels },
    spec: {
      ...(over.replicas === undefined ? {} : { replicas: over.replicas }),
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image: over.image ?? 'shop/web:1', env: over.env ?? [{ name: 'A', value: '1' }] }, ...(over.extra ?? [])] },
      },
    },
  };
}

function apply(live: KubeObject | undefined, applied: KubeObject, manager = 'kubectl', force = false): KubeObject {
  return serverSideApply({ live, applied, manager, force, now });
}

function owners(obj: KubeObject): Record<string, unknown> {
  return Object.fromEntries((obj.metadata.managedFields ?? []).map((m) => [`${m.manager}/${m.operation}`, m.fieldsV1]));
}

function conflictOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  throw new Error('expected a conflict');
}

const appKey = 'k:{"name":"app"}';

describe('serverSideApply', () => {
  it('creates the object and records an Apply entry in FieldsV1 form', () => {
    const out = apply(undefined, config({ replicas: 2 }));
    expect(out.spec.replicas).toBe(2);
    expect(out.metadata.managedFields).toEqual([{
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: now,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': { 'f:containers': { [appKey]: {
              '.': {},
              'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
              'f:image': {},
              'f:name': {},
            } } },
          },
        },
      },
    }]);
  });

  it('re-applying the same configuration changes nothing', () => {
    const first = apply(undefined, config({ replicas: 2 }));
    expect(apply(first, config({ replicas: 2 }))).toEqual(first);
  });

  it('fails with Kubernetes\' conflict when an Update manager set the field to another value', () => {
    const created = apply(undefined, config({ replicas: 2 }));
    const scaled = recordUpdate(created, { ...created, spec: { ...created.spec, replicas: 5 } }, 'kubectl-client-side-apply', now);
    const err = conflictOf(() => apply(scaled, config({ replicas: 3 })));
    expect([err.code, err.reason, err.message]).toEqual([
      409, 'Conflict', 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    ]);
    expect(err.details?.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
    ]);
  });

  it('lists several conflicts per manager, naming list items by key', () => {
    const mine = apply(undefined, config({ replicas: 2 }), 'ci');
    const err = conflictOf(() => apply(mine, config({ replicas: 4, image: 'shop/web:9' }), 'other'));
    expect(err.message).toBe([
      'Apply failed with 2 conflicts: conflicts with "ci":',
      '- .spec.replicas',
      '- .spec.template.spec.containers[name="app"].image',
    ].join('\n'));
    expect(err.details?.causes?.map((c) => c.field)).toEqual(['.spec.replicas', '.spec.template.spec.containers[name="app"].image']);
  });

  it('names container ports by containerPort and protocol in conflicts', () => {
    const withPort = (name: string) => {
      const c = config();
      c.spec.template.spec.containers[0].ports = [{ containerPort: 8080, name }];
      return c;
    };
    const mine = apply(undefined, withPort('http'), 'ci');
    const err = conflictOf(() => apply(mine, withPort('web'), 'other'));
    expect(err.details?.causes?.[0]?.field).toBe('.spec.template.spec.containers[name="app"].ports[containerPort=8080,protocol="TCP"].name');
  });

  it('shares ownership when another manager applies the same value', () => {
    const mine = apply(undefined, config({ replicas: 2 }), 'ci');
    const both = apply(mine, config({ replicas: 2 }), 'other');
    expect((owners(both)['ci/Apply'] as any)['f:spec']['f:replicas']).toEqual({});
    expect((owners(both)['other/Apply'] as any)['f:spec']['f:replicas']).toEqual({});
  });

  it('force takes the field: the value changes and the old owner loses it', () => {
    const created = apply(undefined, config({ replicas: 2 }));
    const scaled = recordUpdate(created, { ...created, spec: { ...created.spec, replicas: 5 } }, 'hpa', now);
    expect(owners(scaled)['hpa/Update']).toEqual({ 'f:spec': { 'f:replicas': {} } });
    const forced = apply(scaled, config({ replicas: 3 }), 'kubectl', true);
    expect(forced.spec.replicas).toBe(3);
    expect(owners(forced)['hpa/Update']).toBeUndefined();
    expect((owners(forced)['kubectl/Apply'] as any)['f:spec']['f:replicas']).toEqual({});
  });

  it('leaves fields to their other owner when the applier stops setting them', () => {
    const created = apply(undefined, config({ replicas: 2 }));
    const scaled = recordUpdate(created, { ...created, spec: { ...created.spec, replicas: 5 } }, 'hpa', now);
    const out = apply(scaled, config());
    expect(out.spec.replicas).toBe(5);
  });

  it('removes fields it applied before and no one else owns: a label, an env var, a container', () => {
    const sidecar = { name: 'proxy', image: 'envoy:1' };
    const first = apply(undefined, config({ replicas: 2, labels: { app: 'web', team: 'a' }, env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], extra: [sidecar] }));
    const out = apply(first, config({ replicas: 2, env: [{ name: 'B', value: '2' }] }));
    expect(out.metadata.labels).toEqual({ app: 'web' });
    expect(out.spec.template.spec.containers).toEqual([{ name: 'app', image: 'shop/web:1', env: [{ name: 'B', value: '2' }] }]);
  });

  it('merges associative lists by key, keeping items other managers added', () => {
    const first = apply(undefined, config({ replicas: 2 }));
    const edited = structuredClone(first);
    edited.spec.template.spec.containers.push({ name: 'debug', image: 'busybox' });
    edited.spec.template.spec.containers[0].env.push({ name: 'EXTRA', value: 'x' });
    const withDebug = recordUpdate(first, edited, 'kubectl-edit', now);
    const out = apply(withDebug, config({ replicas: 2, image: 'shop/web:2' }));
    expect(out.spec.template.spec.containers).toEqual([
      { name: 'app', image: 'shop/web:2', env: [{ name: 'A', value: '1' }, { name: 'EXTRA', value: 'x' }] },
      { name: 'debug', image: 'busybox' },
    ]);
    expect(Object.keys((owners(out)['kubectl-edit/Update'] as any)['f:spec']['f:template']['f:spec']['f:containers'])).toEqual([
      appKey, 'k:{"name":"debug"}',
    ]);
  });

  it('treats fields of an object no one tracked as owned by before-first-apply', () => {
    const untracked = config({ replicas: 1 });
    const err = conflictOf(() => apply(untracked, config({ replicas: 3 })));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
    expect(apply(untracked, config({ replicas: 1 })).spec.replicas).toBe(1);
  });

  it('records sets by value and Service ports by port and protocol (defaulted)', () => {
    const svc: KubeObject = {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 's', finalizers: ['example.com/hold'] },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    };
    const out = apply(undefined, svc);
    expect(out.metadata.managedFields?.[0].fieldsV1).toEqual({
      'f:metadata': { 'f:finalizers': { 'v:"example.com/hold"': {} } },
      'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } }, 'f:selector': {} },
    });
  });

  it('does not apply status through the main resource', () => {
    const live = apply(undefined, config({ replicas: 1 }));
    live.status = { replicas: 1 };
    const applied = { ...config({ replicas: 1 }), status: { replicas: 9 } };
    expect(apply(live, applied).status).toEqual({ replicas: 1 });
  });

  it('applies only status through the status subresource, recorded as such', () => {
    const live = apply(undefined, config({ replicas: 1 }));
    const applied = { ...config({ replicas: 7 }), status: { replicas: 1, readyReplicas: 1 } };
    const out = serverSideApply({ live, applied, manager: 'controller', force: false, now, subresource: 'status' });
    expect(out.spec.replicas).toBe(1);
    expect(out.status).toEqual({ replicas: 1, readyReplicas: 1 });
    const entry = out.metadata.managedFields?.find((m) => m.manager === 'controller');
    expect(entry).toMatchObject({ operation: 'Apply', subresource: 'status', fieldsV1: { 'f:status': { 'f:readyReplicas': {}, 'f:replicas': {} } } });
  });

  it('rejects an item without its key deep inside an otherwise keyed list, naming where', () => {
    const applied = config();
    applied.spec.template.spec.containers[0].ports = [{ containerPort: 80 }, { name: 'no-port' }];
    expect(() => apply(undefined, applied)).toThrow(expect.objectContaining({
      code: 400,
      message: expect.stringMatching(/\.spec\.template\.spec\.containers\[name="[^"]+"\]\.ports: element 1: associative list with keys has an element that omits key field "containerPort"/),
    }));
  });

  it('rejects an associative-list item without its key, as Kubernetes does', () => {
    const applied = config();
    applied.spec.template.spec.containers.push({ image: 'nameless' });
    expect(() => apply(undefined, applied)).toThrow(expect.objectContaining({
      code: 400,
      message: expect.stringContaining('.spec.template.spec.containers: element 1: associative list with keys has an element that omits key field "name"'),
    }));
  });

  it('rejects an applied configuration that carries managedFields', () => {
    const applied = config();
    applied.metadata.managedFields = [{ manager: 'x', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: {} }];
    expect(() => apply(undefined, applied)).toThrow(expect.objectContaining({ code: 400 }));
  });
});

describe('recordUpdate', () => {
  it('gives a creator every field it wrote', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n', uid: 'u', resourceVersion: '1' }, data: { a: '1' } };
    expect(recordUpdate(undefined, cm, 'kubectl-create', now).metadata.managedFields).toEqual([
      { manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: now, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } } },
    ]);
  });

  it('moves changed fields to the writer, drops removed ones and records the subresource', () => {
    const created = serverSideApply({ live: undefined, applied: config({ replicas: 2 }), manager: 'kubectl', force: false, now });
    const edited = structuredClone(created);
    edited.spec.replicas = 4;
    delete edited.metadata.labels;
    const out = recordUpdate(created, edited, 'kubectl', now, 'scale');
    const entries = out.metadata.managedFields ?? [];
    expect(entries.map((e) => [e.manager, e.operation, e.subresource])).toEqual([['kubectl', 'Apply', undefined], ['kubectl', 'Update', 'scale']]);
    expect(entries[0].fieldsV1['f:metadata']).toBeUndefined();
    expect((entries[0].fieldsV1 as any)['f:spec']['f:replicas']).toBeUndefined();
    expect(entries[1].fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
  });

  it('marks a map or list item it added as its own with ".", as Kubernetes records updates', () => {
    const created = serverSideApply({ live: undefined, applied: config(), manager: 'kubectl', force: false, now });
    const edited = structuredClone(created);
    edited.metadata.annotations = { note: 'x' };
    edited.spec.template.spec.containers.push({ name: 'debug', image: 'busybox' });
    const entry = recordUpdate(created, edited, 'kubectl-edit', now).metadata.managedFields?.find((m) => m.manager === 'kubectl-edit');
    expect(entry?.fieldsV1).toEqual({
      'f:metadata': { 'f:annotations': { '.': {}, 'f:note': {} } },
      'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"debug"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } },
    });
  });

  it('takes managedFields a write sends as the starting point, and [{}] as a reset', () => {
    const created = serverSideApply({ live: undefined, applied: config({ replicas: 2 }), manager: 'kubectl', force: false, now });
    const reset = structuredClone(created);
    reset.metadata.managedFields = [{} as never];
    reset.spec.replicas = 3;
    expect(recordUpdate(created, reset, 'kubectl-edit', now).metadata.managedFields).toEqual([
      { manager: 'kubectl-edit', operation: 'Update', apiVersion: 'apps/v1', time: now, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
    ]);
    const unsent = structuredClone(created);
    delete unsent.metadata.managedFields;
    expect(recordUpdate(created, unsent, 'kubectl-edit', now).metadata.managedFields).toEqual(created.metadata.managedFields);
  });

  it('leaves managedFields alone when nothing changed', () => {
    const created = serverSideApply({ live: undefined, applied: config(), manager: 'kubectl', force: false, now });
    expect(recordUpdate(created, structuredClone(created), 'other', '2030-01-01T00:00:00Z')).toEqual(created);
  });
});
