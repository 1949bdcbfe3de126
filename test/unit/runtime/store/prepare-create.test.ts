import { describe, expect, it } from 'vitest';
import { resources, type ResourceType } from '../../../../runtime/resources/registry.js';
import { prepareCreate } from '../../../../runtime/store/prepare-create.js';

const knativeService: ResourceType = { ...resources.services, group: 'serving.knative.dev', version: 'v1', subresources: ['status'], categories: [] };
const free = () => false;

describe('prepareCreate', () => {
  it("fills a core Service's create-time status", () => {
    const svc = prepareCreate(resources.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: {} }, free);
    expect(svc.status).toEqual({ loadBalancer: {} });
  });

  it('leaves a custom resource that shares a built-in kind name as it was sent', () => {
    const ksvc = prepareCreate(knativeService, { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'web' }, spec: { template: {} } }, free);
    expect(ksvc.status).toBeUndefined();
    expect(ksvc.apiVersion).toBe('serving.knative.dev/v1');
  });
});
