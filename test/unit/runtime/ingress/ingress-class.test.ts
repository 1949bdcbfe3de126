import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../runtime/kube/object.js';
import { defaultIngressClass, servedByBaton } from '../../../../runtime/ingress/ingress-class.js';

const ingress = (className?: string, annotation?: string): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'shop', ...(annotation ? { annotations: { 'kubernetes.io/ingress.class': annotation } } : {}) },
  spec: { ...(className ? { ingressClassName: className } : {}), defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
});
const ingressClass = (name: string, controller: string, isDefault = false, created = '2026-01-01T00:00:00Z'): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name, creationTimestamp: created, ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}) },
  spec: { controller },
});
const baton = ingressClass('baton', 'baton.dev/ingress');
const batonDefault = ingressClass('baton', 'baton.dev/ingress', true);
const nginx = ingressClass('nginx', 'k8s.io/ingress-nginx');
const nginxDefault = ingressClass('nginx', 'k8s.io/ingress-nginx', true);

describe('servedByBaton', () => {
  const cases: Array<[what: string, ing: KubeObject, classes: KubeObject[], extra: string[], served: boolean]> = [
    ['class baton', ingress('baton'), [baton], [], true],
    ['class baton by the old annotation', ingress(undefined, 'baton'), [baton], [], true],
    ['class nginx', ingress('nginx'), [baton, nginx], [], false],
    ['class nginx by the old annotation', ingress(undefined, 'nginx'), [baton, nginx], [], false],
    ['class nginx with --ingress-class nginx', ingress('nginx'), [baton, nginx], ['nginx'], true],
    ['class nginx by annotation with --ingress-class nginx', ingress(undefined, 'nginx'), [], ['nginx'], true],
    ['a class of its own whose controller is baton', ingress('public'), [baton, ingressClass('public', 'baton.dev/ingress')], [], true],
    ['a class that does not exist', ingress('missing'), [baton], [], false],
    ['no class and no default class', ingress(), [baton, nginx], [], true],
    ['no class and baton the default', ingress(), [batonDefault, nginx], [], true],
    ['no class and nginx the default', ingress(), [baton, nginxDefault], [], false],
    ['no class, nginx the default, with --ingress-class nginx', ingress(), [baton, nginxDefault], ['nginx'], true],
    ['spec.ingressClassName wins over the annotation', ingress('baton', 'nginx'), [baton], [], true],
  ];
  it.each(cases)('%s', (_what, ing, classes, extra, served) => {
    expect(servedByBaton(ing, classes, extra)).toBe(served);
  });
});

describe('defaultIngressClass', () => {
  it('is the newest class marked default, as Kubernetes 1.28+ picks it', () => {
    const older = ingressClass('a', 'example.com/a', true, '2026-01-01T00:00:00Z');
    const newer = ingressClass('b', 'example.com/b', true, '2026-01-02T00:00:00Z');
    const twin = ingressClass('c', 'example.com/c', true, '2026-01-02T00:00:00Z');
    expect(defaultIngressClass([baton, nginx])).toBeUndefined();
    expect(defaultIngressClass([older, baton])?.metadata.name).toBe('a');
    expect(defaultIngressClass([older, twin, newer])?.metadata.name).toBe('b');
    expect(defaultIngressClass([ingressClass('x', 'example.com/x', false)])).toBeUndefined();
  });
});
