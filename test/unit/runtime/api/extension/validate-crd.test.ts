import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../runtime/kube/object.js';
import { defaultCrd, validateCrd } from '../../../../../runtime/api/extension/validate-crd.js';

function crd(edit: (spec: any, crd: KubeObject) => void = () => {}): KubeObject {
  const obj: KubeObject = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { kind: 'Widget', plural: 'widgets' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', default: 1 } } } } } } }],
    },
  };
  edit(obj.spec, obj);
  defaultCrd(obj, true);
  return obj;
}

const messages = (obj: KubeObject, old?: KubeObject) => validateCrd(obj, old).map((c) => `${c.field}: ${c.message}`);

describe('CustomResourceDefinition validation', () => {
  it('defaults singular, listKind, conversion and the cleanup finalizer, and accepts a good CRD', () => {
    const good = crd();
    expect(good.spec.names).toMatchObject({ singular: 'widget', listKind: 'WidgetList' });
    expect(good.spec.conversion).toEqual({ strategy: 'None' });
    expect(good.metadata.finalizers).toEqual(['customresourcecleanup.apiextensions.k8s.io']);
    expect(messages(good)).toEqual([]);
  });

  it.each([
    ['a name other than plural.group', (_s: any, o: KubeObject) => (o.metadata.name = 'widget.example.com'), 'metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group'],
    ['a group without a dot', (s: any, o: KubeObject) => ((s.group = 'example'), (o.metadata.name = 'widgets.example')), 'spec.group: Invalid value: "example": should be a domain with at least one dot'],
    ['an unknown scope', (s: any) => (s.scope = 'Global'), 'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'],
    ['no storage version', (s: any) => (s.versions[0].storage = false), 'spec.versions: Invalid value: ["v1"]: must have exactly one version marked as storage version'],
    ['a missing schema', (s: any) => delete s.versions[0].schema, 'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required'],
    ['conversion webhooks', (s: any) => (s.conversion = { strategy: 'Webhook' }), 'spec.conversion.strategy: Forbidden: conversion webhooks are not supported by this runtime; use None'],
    ['a default the schema refuses', (s: any) => (s.versions[0].schema.openAPIV3Schema.properties.spec.properties.size.default = 'big'), 'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[size].default: Invalid value: "string": spec.size in body must be of type integer: "string"'],
    ['a scale path outside .spec', (s: any) => (s.versions[0].subresources = { scale: { specReplicasPath: '.status.replicas', statusReplicasPath: '.status.replicas' } }), 'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec'],
  ])('refuses %s', (_name, edit, message) => {
    expect(messages(crd(edit))).toEqual([message]);
  });

  it('refuses a change of scope', () => {
    expect(messages(crd((s) => (s.scope = 'Cluster')), crd())).toEqual(['spec.scope: Invalid value: "Cluster": field is immutable']);
  });
});
