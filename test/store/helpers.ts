import { expect } from 'vitest';
import { StatusError } from '../../runtime/errors/status-error.js';
import type { KubeObject } from '../../runtime/kube/object.js';

export function configMap(name: string, extra: Partial<KubeObject['metadata']> = {}, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', ...extra }, data };
}

export function deployment(name: string, replicas = 1, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', ...extra },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  };
}

export function ownedBy(owner: KubeObject, block = true): KubeObject['metadata'] {
  return {
    ownerReferences: [
      { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: block },
    ],
  };
}

export async function expectStatus(promise: Promise<unknown>, code: number, message?: string | RegExp): Promise<StatusError> {
  let error: unknown;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  expect(error, 'expected a StatusError').toBeInstanceOf(StatusError);
  const status = error as StatusError;
  expect(status.code, status.message).toBe(code);
  if (typeof message === 'string') expect(status.message).toBe(message);
  else if (message) expect(status.message).toMatch(message);
  return status;
}
