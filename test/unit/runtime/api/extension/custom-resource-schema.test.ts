import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../../../../runtime/api/extension/json-schema.js';
import { applySchemaDefaults } from '../../../../../runtime/api/extension/schema-defaults.js';
import { pruneUnknownFields } from '../../../../../runtime/api/extension/schema-pruning.js';
import { validateValue } from '../../../../../runtime/api/extension/schema-validation.js';
import { structuralProblems } from '../../../../../runtime/api/extension/structural-schema.js';

const schema: JsonSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['host'],
      properties: {
        host: { type: 'string', minLength: 1, maxLength: 20, pattern: '^[a-z.]*$' },
        replicas: { type: 'integer', minimum: 0, maximum: 10, default: 1 },
        mode: { type: 'string', enum: ['fast', 'safe'], default: 'safe' },
        port: { 'x-kubernetes-int-or-string': true },
        ratio: { type: 'number', nullable: true },
        tags: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        tls: { type: 'object', default: {}, properties: { enabled: { type: 'boolean', default: false } } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } } },
        email: { type: 'string', format: 'email' },
      },
    },
  },
};

const messages = (value: unknown) => validateValue(value, schema, '').map((c) => `${c.field}: ${c.message}`);

describe('custom resource schema validation', () => {
  it.each([
    ['wrong type', { spec: { host: 'a', replicas: 'two' } }, 'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'],
    ['missing required', { spec: {} }, 'spec.host: Required value'],
    ['enum', { spec: { host: 'a', mode: 'slow' } }, 'spec.mode: Unsupported value: "slow": supported values: "fast", "safe"'],
    ['minimum', { spec: { host: 'a', replicas: -1 } }, 'spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0'],
    ['maximum', { spec: { host: 'a', replicas: 11 } }, 'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10'],
    ['minLength', { spec: { host: '' } }, 'spec.host: Invalid value: "": spec.host in body should be at least 1 chars long'],
    ['maxLength', { spec: { host: 'a'.repeat(21) } }, 'spec.host: Too long: may not be more than 20 bytes'],
    ['pattern', { spec: { host: 'A1' } }, "spec.host: Invalid value: \"A1\": spec.host in body should match '^[a-z.]*$'"],
    ['minItems', { spec: { host: 'a', tags: [] } }, 'spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items'],
    ['maxItems', { spec: { host: 'a', tags: ['a', 'b', 'c'] } }, 'spec.tags: Too many: 3: must have at most 2 items'],
    ['item type', { spec: { host: 'a', tags: [1] } }, 'spec.tags[0]: Invalid value: "integer": spec.tags[0] in body must be of type string: "integer"'],
    ['additionalProperties', { spec: { host: 'a', labels: { a: 1 } } }, 'spec.labels[a]: Invalid value: "integer": spec.labels[a] in body must be of type string: "integer"'],
    ['int-or-string', { spec: { host: 'a', port: true } }, 'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"'],
    ['not nullable', { spec: { host: 'a', mode: null } }, 'spec.mode: Invalid value: "null": spec.mode in body must be of type string: "null"'],
    ['format', { spec: { host: 'a', email: 'nope' } }, 'spec.email: Invalid value: "nope": spec.email in body must be of type email: "nope"'],
  ])('%s', (_name, value, message) => {
    expect(messages(value)).toEqual([message]);
  });

  it('accepts a good object, int-or-string either way and null where nullable', () => {
    expect(messages({ spec: { host: 'a.b', replicas: 3, port: 'http', ratio: null, tags: ['x'], labels: { a: 'b' } } })).toEqual([]);
    expect(messages({ spec: { host: 'a', port: 8080 } })).toEqual([]);
  });
});

describe('custom resource defaulting and pruning', () => {
  it('fills defaults from the root down, leaving given values alone', () => {
    const obj: Record<string, any> = { spec: { host: 'a', mode: 'fast' } };
    applySchemaDefaults(obj, schema);
    expect(obj.spec).toEqual({ host: 'a', mode: 'fast', replicas: 1, tls: { enabled: false } });
  });

  it('replaces a null in a non-nullable field with its default', () => {
    const obj: Record<string, any> = { spec: { host: 'a', replicas: null } };
    applySchemaDefaults(obj, schema);
    expect(obj.spec.replicas).toBe(1);
  });

  it('drops unknown fields, keeping type meta, metadata, preserved and embedded objects', () => {
    const obj: Record<string, any> = {
      apiVersion: 'x.example.com/v1',
      kind: 'X',
      metadata: { name: 'a', whatever: 1 },
      top: 1,
      spec: {
        host: 'a',
        bogus: true,
        extra: { anything: [1], known: { a: 'x', b: 'dropped' } },
        template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'y', z: 'dropped' }, other: 1 },
      },
    };
    expect(pruneUnknownFields(obj, schema).sort()).toEqual(['spec.bogus', 'spec.extra.known.b', 'spec.template.other', 'spec.template.spec.z', 'top']);
    expect(obj).toEqual({
      apiVersion: 'x.example.com/v1',
      kind: 'X',
      metadata: { name: 'a', whatever: 1 },
      spec: { host: 'a', extra: { anything: [1], known: { a: 'x' } }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'y' } } },
    });
  });
});

describe('structural schema rules', () => {
  const at = 'spec.versions[0].schema.openAPIV3Schema';
  const problems = (s: JsonSchema) => structuralProblems(s, at).map((c) => `${c.field}: ${c.message}`);

  it.each([
    ['a field without a type', { type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } }, [`${at}.properties[spec].type: Required value: must not be empty for specified object fields`]],
    ['items without a type', { type: 'object', properties: { l: { type: 'array', items: {} } } }, [`${at}.properties[l].items.type: Required value: must not be empty for specified array items`]],
    ['an array without items', { type: 'object', properties: { l: { type: 'array' } } }, [`${at}.properties[l].items: Required value: must be specified`]],
    ['a root that is not an object', { type: 'string' }, [`${at}.type: Invalid value: "string": must be object at the root`]],
    ['a type inside anyOf', { type: 'object', properties: { a: { type: 'string', anyOf: [{ type: 'string' }, { type: 'integer' }] } } }, [`${at}.properties[a].anyOf[0].type: Forbidden: must be empty to be structural`, `${at}.properties[a].anyOf[1].type: Forbidden: must be empty to be structural`]],
    ['metadata beyond name', { type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }, [`${at}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`]],
    ['an embedded resource that is not an object', { type: 'object', properties: { t: { type: 'string', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } } }, [`${at}.properties[t].type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true`]],
  ])('refuses %s', (_name, s, expected) => {
    expect(problems(s as JsonSchema)).toEqual(expected);
  });

  it('accepts int-or-string, preserved fields and metadata: {type: object}', () => {
    expect(problems({ type: 'object', properties: { metadata: { type: 'object' }, p: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }, any: { 'x-kubernetes-preserve-unknown-fields': true } } })).toEqual([]);
    expect(problems(schema)).toEqual([]);
  });
});
