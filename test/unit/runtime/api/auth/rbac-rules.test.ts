import { describe, expect, it } from 'vitest';
import { ruleAllows, uncoveredRules, type PolicyRule } from '../../../../../runtime/api/auth/rbac-rules.js';
import { forbiddenMessage, requestAttributes } from '../../../../../runtime/api/auth/request-attributes.js';

describe('requestAttributes (kube-apiserver RequestInfoFactory)', () => {
  const cases: Array<[string, string, Record<string, string>, Partial<ReturnType<typeof requestAttributes>>]> = [
    ['GET', '/api/v1/namespaces/a/pods', {}, { verb: 'list', resource: 'pods', namespace: 'a', name: '' }],
    ['GET', '/api/v1/namespaces/a/pods', { watch: 'true' }, { verb: 'watch', resource: 'pods' }],
    ['GET', '/api/v1/namespaces/a/pods', { fieldSelector: 'metadata.name=web' }, { verb: 'list', name: 'web' }],
    ['GET', '/api/v1/watch/namespaces/a/pods/web', {}, { verb: 'watch', name: 'web' }],
    ['GET', '/api/v1/namespaces/a/pods/web/log', {}, { verb: 'get', resource: 'pods', subresource: 'log', name: 'web' }],
    ['POST', '/api/v1/namespaces/a/pods/web/exec', {}, { verb: 'create', subresource: 'exec' }],
    ['DELETE', '/apis/apps/v1/namespaces/a/deployments', {}, { verb: 'deletecollection', apiGroup: 'apps', resource: 'deployments' }],
    ['PATCH', '/apis/apps/v1/namespaces/a/deployments/web/scale', {}, { verb: 'patch', subresource: 'scale' }],
    ['GET', '/api/v1/namespaces/a', {}, { verb: 'get', resource: 'namespaces', namespace: 'a', name: 'a' }],
    ['PUT', '/api/v1/namespaces/a/finalize', {}, { verb: 'update', resource: 'namespaces', name: 'a', subresource: 'finalize' }],
    ['GET', '/api/v1/nodes', {}, { verb: 'list', resource: 'nodes', namespace: '' }],
    ['GET', '/apis', {}, { resourceRequest: false, verb: 'get', path: '/apis' }],
    ['GET', '/apis/apps/v1', {}, { resourceRequest: false }],
    ['GET', '/healthz', {}, { resourceRequest: false, path: '/healthz' }],
    // Segments are read decoded, as the router serves them.
    ['GET', '/%61pi/v1/namespaces/%61/secrets', {}, { resourceRequest: true, verb: 'list', resource: 'secrets', namespace: 'a' }],
    ['POST', '/api/v1/%77atch/namespaces/a/pods', {}, { verb: 'watch', resource: 'pods', namespace: 'a' }],
    // The name a list may see is what the parsed selector requires, escapes and all.
    ['GET', '/api/v1/namespaces/a/secrets', { fieldSelector: 'metadata.namespace!=zz\\,metadata.name=web' }, { verb: 'list', name: '' }],
    ['GET', '/api/v1/namespaces/a/secrets', { fieldSelector: 'metadata.name!=x,metadata.name==web' }, { verb: 'list', name: 'web' }],
    ['GET', '/api/v1/namespaces/a/secrets', { fieldSelector: 'metadata.name=a/b' }, { verb: 'list', name: '' }],
    ['GET', '/api/v1/namespaces/a/secrets', { fieldSelector: 'metadata.name=..' }, { verb: 'list', name: '' }],
    ['GET', '/api/v1/namespaces/a/secrets', { fieldSelector: 'metadata.name=web,=' }, { verb: 'list', name: '' }],
  ];
  for (const [method, path, query, want] of cases) {
    it(`${method} ${path} ${JSON.stringify(query)}`, () => expect(requestAttributes(method, path, query)).toMatchObject(want));
  }

  it("words a denial as Kubernetes' Forbidden does", () => {
    const user = 'system:serviceaccount:a:default';
    expect(forbiddenMessage(user, requestAttributes('GET', '/api/v1/namespaces/b/secrets', {}))).toBe(
      'secrets is forbidden: User "system:serviceaccount:a:default" cannot list resource "secrets" in API group "" in the namespace "b"',
    );
    expect(forbiddenMessage(user, requestAttributes('GET', '/apis/apps/v1/namespaces/b/deployments/web/scale', {}))).toBe(
      'deployments.apps "web" is forbidden: User "system:serviceaccount:a:default" cannot get resource "deployments/scale" in API group "apps" in the namespace "b"',
    );
    expect(forbiddenMessage(user, requestAttributes('DELETE', '/api/v1/nodes/n1', {}))).toBe(
      'nodes "n1" is forbidden: User "system:serviceaccount:a:default" cannot delete resource "nodes" in API group "" at the cluster scope',
    );
    expect(forbiddenMessage(user, requestAttributes('GET', '/metrics', {}))).toBe('forbidden: User "system:serviceaccount:a:default" cannot get path "/metrics"');
  });
});

describe('ruleAllows (rbac/v1 matching)', () => {
  const attrs = (method: string, path: string, query: Record<string, string> = {}) => requestAttributes(method, path, query);
  const cases: Array<[string, PolicyRule, ReturnType<typeof attrs>, boolean]> = [
    ['verb and resource', { verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }, attrs('GET', '/api/v1/namespaces/a/secrets'), true],
    ['other verb', { verbs: ['get'], apiGroups: [''], resources: ['secrets'] }, attrs('GET', '/api/v1/namespaces/a/secrets'), false],
    ['other group', { verbs: ['*'], apiGroups: ['apps'], resources: ['*'] }, attrs('GET', '/api/v1/namespaces/a/secrets'), false],
    ['a resource does not cover its subresources', { verbs: ['*'], apiGroups: [''], resources: ['pods'] }, attrs('POST', '/api/v1/namespaces/a/pods/web/exec'), false],
    ['pods/exec', { verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }, attrs('POST', '/api/v1/namespaces/a/pods/web/exec'), true],
    ['*/scale', { verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] }, attrs('GET', '/apis/apps/v1/namespaces/a/deployments/web/scale'), true],
    ['* covers subresources', { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, attrs('GET', '/api/v1/namespaces/a/pods/web/log'), true],
    ['resourceNames', { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }, attrs('GET', '/api/v1/namespaces/a/secrets/db'), true],
    ['resourceNames, other name', { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }, attrs('GET', '/api/v1/namespaces/a/secrets/tls'), false],
    ['resourceNames never allow a plain list', { verbs: ['list'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }, attrs('GET', '/api/v1/namespaces/a/secrets'), false],
    ['resourceNames allow a list naming the object', { verbs: ['list'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }, attrs('GET', '/api/v1/namespaces/a/secrets', { fieldSelector: 'metadata.name=db' }), true],
    ['nonResourceURLs prefix', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, attrs('GET', '/apis/apps'), true],
    ['nonResourceURLs exact', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, attrs('GET', '/healthz/etcd'), false],
    ['resource rules never match paths', { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, attrs('GET', '/healthz'), false],
  ];
  for (const [name, rule, request, allowed] of cases) it(name, () => expect(ruleAllows(rule, request)).toBe(allowed));
});

describe('uncoveredRules (escalation check)', () => {
  const read: PolicyRule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets', 'configmaps'] };
  it('finds nothing missing when the owner holds every piece', () => {
    expect(uncoveredRules([read], [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }])).toEqual([]);
    expect(uncoveredRules([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [read])).toEqual([]);
  });
  it('names each piece not held', () => {
    expect(uncoveredRules([read], [{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['secrets'] }])).toEqual([{ verbs: ['delete'], apiGroups: [''], resources: ['secrets'] }]);
  });
  it('covers a star only with a star', () => {
    expect(uncoveredRules([read], [{ verbs: ['*'], apiGroups: [''], resources: ['secrets'] }])).toHaveLength(1);
    expect(uncoveredRules([{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }], [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }])).toHaveLength(1);
  });
  it('checks non-resource URLs by their own matching', () => {
    expect(uncoveredRules([{ verbs: ['get'], nonResourceURLs: ['/apis/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/apis/apps'] }])).toEqual([]);
    expect(uncoveredRules([read], [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }])).toHaveLength(1);
  });
});
