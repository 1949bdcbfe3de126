import { describe, expect, it } from 'vitest';
import { goesStraightToResources } from '../../../../../runtime/api/routing/resource-shortcut.js';

// Each false row is a path an earlier router serves (or may serve): it must take the whole route.
describe('goesStraightToResources', () => {
  it.each([
    ['PATCH', '/api/v1/namespaces/big/configmaps/cm-1', true],
    ['GET', '/api/v1/pods', true],
    ['GET', '/api/v1/namespaces/shop', true],
    ['POST', '/apis/apps/v1/namespaces/shop/deployments', true],
    ['GET', '/apis/apps/v1/deployments', true],
    ['GET', '/apis/autoscaling/v1/namespaces/shop/horizontalpodautoscalers/web', true],
    ['GET', '/api/v1', false],
    ['GET', '/api/v1/', false],
    ['GET', '/api', false],
    ['GET', '/apis/apps/v1', false],
    ['GET', '/apis/apps/v1/', false],
    ['GET', '/apis/apps', false],
    ['GET', '/openapi/v3/api/v1', false],
    ['GET', '/healthz', false],
    ['GET', '/apis/metrics.k8s.io/v1beta1/pods', false],
    ['GET', '/APIS/Metrics.K8s.io/v1beta1/nodes', false],
    ['POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', false],
    ['POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', false],
    ['POST', '/api/v1/namespaces/shop/serviceaccounts/default/token', false],
    ['POST', '/api/v1/namespaces/shop/serviceaccounts/default/TOKEN/', false],
    ['OPTIONS', '/api/v1/namespaces/big/configmaps/cm-1', false],
  ])('%s %s → %s', (method, path, straight) => {
    expect(goesStraightToResources(method, path)).toBe(straight);
  });
});
