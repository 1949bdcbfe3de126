import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { columnSets } from '../../../../../runtime/api/printing/column-sets.js';

const now = Date.parse('2026-01-01T00:10:00Z');
const obj = (kind: string, spec: unknown): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind, metadata: { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z' }, spec });

describe('kubectl get networkpolicy: POD-SELECTOR as metav1.FormatLabelSelector prints it', () => {
  const cases: Array<[what: string, podSelector: unknown, shown: string]> = [
    ['an empty selector (every pod)', {}, '<none>'],
    ['match labels, sorted by key', { matchLabels: { tier: 'db', app: 'shop' } }, 'app=shop,tier=db'],
    ['expressions among labels, sorted by key, set values sorted', { matchLabels: { b: '1' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['y', 'x'] }, { key: 'a', operator: 'DoesNotExist' }] }, '!a,b=1,c in (x,y)'],
    ['NotIn and Exists', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }, { key: 'canary', operator: 'Exists' }] }, 'canary,env notin (prod)'],
  ];
  it.each(cases)('%s', (_what, podSelector, shown) => {
    expect(columnSets.NetworkPolicy.cells(obj('NetworkPolicy', { podSelector }), now)).toEqual(['x', shown, '10m']);
  });
});

describe('kubectl get ingressclass: CONTROLLER and PARAMETERS', () => {
  it('prints parameters as Kind.group/name, or <none>', () => {
    expect(columnSets.IngressClass.cells(obj('IngressClass', { controller: 'baton.dev/ingress' }), now)).toEqual(['x', 'baton.dev/ingress', '<none>', '10m']);
    const parameters = { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb', scope: 'Cluster' };
    expect(columnSets.IngressClass.cells(obj('IngressClass', { controller: 'example.com/ingress', parameters }), now)[2]).toBe('IngressParameters.k8s.example.com/external-lb');
    expect(columnSets.IngressClass.cells(obj('IngressClass', { controller: 'example.com/ingress', parameters: { kind: 'ConfigMap', name: 'p' } }), now)[2]).toBe('ConfigMap/p');
  });
});
