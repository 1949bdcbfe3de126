import { describe, expect, it } from 'vitest';
import { validateIngressClassSpec, validateIngressClassUpdate } from '../../../../../runtime/api/validation/validate-ingress-class.js';

describe('validateIngressClassSpec', () => {
  const cases: Array<[what: string, spec: unknown, causes: string[]]> = [
    ["baton's own class", { controller: 'baton.dev/ingress' }, []],
    ['ingress-nginx', { controller: 'k8s.io/ingress-nginx' }, []],
    ['no spec', undefined, ['spec.controller: Required value']],
    ['no controller', {}, ['spec.controller: Required value']],
    ['a controller without a domain', { controller: 'nginx' }, ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")']],
    ['an upper-case domain', { controller: 'Example.com/x' }, [expect.stringMatching(/^spec\.controller: Invalid value: "Example\.com": a lowercase RFC 1123 subdomain/)]],
    ['a path with a space', { controller: 'example.com/a b' }, [expect.stringMatching(/^spec\.controller: Invalid value: "a b": Invalid path \(regex used for validation is/)]],
    ['a controller over 250 bytes', { controller: `example.com/${'a'.repeat(250)}` }, ['spec.controller: Too long: may not be more than 250 bytes']],
    ['cluster-scoped parameters', { controller: 'example.com/x', parameters: { apiGroup: 'example.com', kind: 'Params', name: 'p', scope: 'Cluster' } }, []],
    ['parameters without kind and name', { controller: 'example.com/x', parameters: { scope: 'Cluster' } }, ['spec.parameters.kind: Required value: kind is required', 'spec.parameters.name: Required value: name is required']],
    ['namespaced parameters without a namespace', { controller: 'example.com/x', parameters: { kind: 'P', name: 'p', scope: 'Namespace' } }, ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"]],
    ['cluster parameters with a namespace', { controller: 'example.com/x', parameters: { kind: 'P', name: 'p', scope: 'Cluster', namespace: 'x' } }, ["spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"]],
    ['an unknown scope', { controller: 'example.com/x', parameters: { kind: 'P', name: 'p', scope: 'Global' } }, ['spec.parameters.scope: Unsupported value: "Global": supported values: "Cluster", "Namespace"']],
  ];
  it.each(cases)('%s', (_what, spec, causes) => {
    expect(validateIngressClassSpec(spec).map((c) => `${c.field}: ${c.message}`)).toEqual(causes);
  });

  it('refuses a changed controller on update, as Kubernetes does', () => {
    expect(validateIngressClassUpdate({ controller: 'baton.dev/ingress' }, { controller: 'baton.dev/ingress' })).toEqual([]);
    expect(validateIngressClassUpdate({ controller: 'k8s.io/ingress-nginx' }, { controller: 'baton.dev/ingress' }).map((c) => `${c.field}: ${c.message}`)).toEqual([
      'spec.controller: Invalid value: "k8s.io/ingress-nginx": field is immutable',
    ]);
  });
});
