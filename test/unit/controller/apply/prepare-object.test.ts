import { describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { prepareObject, type ApplyApp } from '../../../../controller/apply/apply-objects.js';

const app = (name: string, namespace = name): ApplyApp => ({ name, namespace, syncPolicy: { prune: true } });
const configMap = (): KubernetesObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', resourceVersion: '7' } });

describe('prepareObject', () => {
  it('fills in the namespace and tracking labels on a copy, leaving the rendered object as it was', () => {
    const rendered = configMap();
    const prepared = prepareObject(rendered, app('shop'));
    expect(prepared.metadata).toEqual({ name: 'settings', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'baton', 'baton.dev/app': 'shop' } });
    expect(rendered).toEqual(configMap());
  });

  it('gives the same copy to every step of one app, and each app its own', () => {
    const rendered = configMap();
    const first = prepareObject(rendered, app('shop'));
    expect(prepareObject(rendered, app('shop'))).toBe(first);
    const other = prepareObject(rendered, app('catalog'));
    expect(other.metadata?.labels?.['baton.dev/app']).toBe('catalog');
    expect(prepareObject(rendered, app('shop', 'pr-7')).metadata?.namespace).toBe('pr-7');
  });
});
