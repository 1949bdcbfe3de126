import { describe, expect, it } from 'vitest';
import { StatusError } from '../../../../runtime/errors/status-error.js';
import { applyJsonPatch } from '../../../../runtime/patch/index.js';

const target = () => ({ metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1, args: ['a', 'b'] } });

describe('applyJsonPatch (RFC 6902)', () => {
  it.each([
    ['add a field', [{ op: 'add', path: '/spec/paused', value: true }], (o: any) => expect(o.spec.paused).toBe(true)],
    ['append to a list', [{ op: 'add', path: '/spec/args/-', value: 'c' }], (o: any) => expect(o.spec.args).toEqual(['a', 'b', 'c'])],
    ['replace a value', [{ op: 'replace', path: '/spec/replicas', value: 3 }], (o: any) => expect(o.spec.replicas).toBe(3)],
    ['remove a label with an escaped key', [{ op: 'add', path: '/metadata/labels/a~1b', value: 'x' }, { op: 'remove', path: '/metadata/labels/app' }],
      (o: any) => expect(o.metadata.labels).toEqual({ 'a/b': 'x' })],
    ['move and copy', [{ op: 'copy', from: '/spec/replicas', path: '/spec/min' }, { op: 'move', from: '/spec/args', path: '/spec/command' }],
      (o: any) => expect(o.spec).toEqual({ replicas: 1, min: 1, command: ['a', 'b'] })],
    ['a passing test guards the rest', [{ op: 'test', path: '/spec/replicas', value: 1 }, { op: 'replace', path: '/spec/replicas', value: 2 }],
      (o: any) => expect(o.spec.replicas).toBe(2)],
  ])('%s', (_name, ops, check) => {
    const t = target();
    check(applyJsonPatch(t, ops));
    expect(t).toEqual(target());
  });

  it('applies kubectl rollout undo: replace the pod template and the annotations', () => {
    const live = {
      metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '3' } },
      spec: { replicas: 2, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'v3' }, { name: 'debug', image: 'busybox' }] } } },
    };
    const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'v2' }] } };
    const out = applyJsonPatch(live, [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '3' } },
    ]) as typeof live;
    expect(out.spec).toEqual({ replicas: 2, template });
  });

  it.each([
    ['a failed test op', [{ op: 'replace', path: '/spec/replicas', value: 5 }, { op: 'test', path: '/spec/replicas', value: 2 }], 'testing value /spec/replicas failed: test failed'],
    ['removing a missing key', [{ op: 'remove', path: '/spec/missing' }], 'Unable to remove nonexistent key: missing: missing value'],
    ['replacing a missing key', [{ op: 'replace', path: '/spec/missing', value: 1 }], 'replace operation does not apply: doc is missing key: /spec/missing: missing value'],
    ['adding under a missing parent', [{ op: 'add', path: '/status/x', value: 1 }], 'add operation does not apply: doc is missing path: "/status/x": missing value'],
    ['an unknown op', [{ op: 'frob', path: '/spec' }], 'Unexpected kind: frob'],
  ])('rejects %s with 422 Invalid, as the Kubernetes API does', (_name, ops, cause) => {
    const t = target();
    let caught: unknown;
    try {
      applyJsonPatch(t, ops);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StatusError);
    const e = caught as StatusError;
    expect([e.code, e.reason, e.message]).toEqual([422, 'Invalid', 'the server rejected our request due to an error in our request']);
    expect(e.details?.causes?.[0]?.message).toBe(cause);
    expect(t).toEqual(target());
  });

  it.each([
    ['an object', { op: 'add' }],
    ['a list of scalars', ['add']],
  ])('rejects a body that is %s with 400', (_name, body) => {
    expect(() => applyJsonPatch(target(), body)).toThrow(expect.objectContaining({ code: 400, reason: 'BadRequest' }));
  });
});

describe('applyJsonPatch through __proto__', () => {
  it('is a 422 naming the patch, not an internal error', () => {
    let caught: unknown;
    try {
      applyJsonPatch(target(), [{ op: 'add', path: '/__proto__/polluted', value: 'yes' }]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StatusError);
    expect((caught as StatusError).code).toBe(422);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
