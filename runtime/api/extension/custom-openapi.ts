import { createHash } from 'node:crypto';
import { SERVED_VERSION } from '../discovery/api-resource-list.js';
import type { ServedOpenApi } from '../openapi/served-openapi.js';
import { crdSchema } from './crd-openapi-schema.js';
import { customVersions, type CustomVersion } from './custom-versions.js';

const REF = '#/components/schemas/';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const CRD_KEY = 'apis/apiextensions.k8s.io/v1';

/** `io.cert-manager.v1.Certificate`: Kubernetes names a custom resource's schema by its reversed group. */
function schemaName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

function refsIn(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) refsIn(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF)) into.add(v.slice(REF.length));
      else refsIn(v, into);
    }
  }
}

/** The named schemas and every schema they reference, from the built-in documents. */
function closure(all: Record<string, any>, roots: string[]): Record<string, any> {
  const out: Record<string, any> = {};
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (out[name] || !all[name]) continue;
    out[name] = all[name];
    const refs = new Set<string>();
    refsIn(out[name], refs);
    queue.push(...refs);
  }
  return out;
}

const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });

/** The operations kubectl looks for: PATCH with fieldValidation (server-side validation) and no strategic merge patch. */
function operations(gvk: Record<string, string>, itemRef: string, scope: string): { item: Record<string, unknown>; list: Record<string, unknown> } {
  const query = ['dryRun', 'fieldManager', 'fieldValidation'].map((name) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } }));
  const body = { required: true, content: { 'application/json': { schema: { $ref: itemRef } }, 'application/yaml': { schema: { $ref: itemRef } } } };
  const patchBody = {
    required: true,
    content: Object.fromEntries(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'].map((t) => [t, { schema: { type: 'object' } }])),
  };
  const op = (action: string, extra: Record<string, unknown> = {}) => ({
    operationId: `${action}${gvk.kind}${scope}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    responses: { '200': { ...json('OK'), content: { 'application/json': { schema: { $ref: itemRef } } } } },
    ...extra,
  });
  return {
    item: {
      get: op('get'),
      put: op('put', { parameters: query, requestBody: body }),
      patch: op('patch', { parameters: [...query, { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } }], requestBody: patchBody }),
      delete: op('delete'),
    },
    list: { get: op('list'), post: op('post', { parameters: query, requestBody: body }) },
  };
}

function versionSchema(v: CustomVersion): Record<string, any> {
  const schema = structuredClone(v.schema) as Record<string, any>;
  schema.properties = {
    ...(schema.properties ?? {}),
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: { allOf: [{ $ref: `${REF}${OBJECT_META}` }], description: "Standard object's metadata." },
  };
  schema['x-kubernetes-group-version-kind'] = [{ group: v.type.group, kind: v.type.kind, version: v.type.version }];
  return schema;
}

function document(key: string, paths: Record<string, unknown>, schemas: Record<string, unknown>): { key: string; json: string; hash: string } {
  const json = JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes CRD Swagger', version: SERVED_VERSION.gitVersion }, paths, components: { schemas } });
  return { key, json, hash: createHash('sha512').update(json).digest('hex').slice(0, 128).toUpperCase() };
}

function groupVersionDocument(key: string, versions: CustomVersion[], builtIn: Record<string, any>): { key: string; json: string; hash: string } {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = closure(builtIn, [OBJECT_META]);
  for (const v of versions) {
    const t = v.type;
    const name = schemaName(t.group, t.version, t.kind);
    schemas[name] = versionSchema(v);
    schemas[`${name}List`] = {
      type: 'object',
      required: ['items'],
      properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, items: { type: 'array', items: { $ref: `${REF}${name}` } }, metadata: { $ref: `${REF}io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta` } },
      'x-kubernetes-group-version-kind': [{ group: t.group, kind: t.listKind, version: t.version }],
    };
    Object.assign(schemas, closure(builtIn, ['io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta']));
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const ops = operations(gvk, `${REF}${name}`, t.namespaced ? 'Namespaced' : '');
    const base = t.namespaced ? `/${key}/namespaces/{namespace}/${t.plural}` : `/${key}/${t.plural}`;
    paths[base] = ops.list;
    paths[`${base}/{name}`] = ops.item;
    for (const sub of t.subresources) paths[`${base}/{name}/${sub}`] = { get: ops.item.get, put: ops.item.put, patch: ops.item.patch };
  }
  return document(key, paths, schemas);
}

const published = new WeakMap<ServedOpenApi, { keys: Set<string>; v2: any; names: Set<string>; ownCrdDocument: boolean }>();

/**
 * Brings the served OpenAPI up to date with the established CRDs: one v3
 * document per custom group/version (and apiextensions.k8s.io/v1 itself), and
 * their schemas in v2 and in the schema set unknown-field warnings read.
 * Built-in documents are left as they are.
 */
export function publishCustomOpenApi(openapi: ServedOpenApi): void {
  let state = published.get(openapi);
  if (!state) {
    // The trimmed Kubernetes spec has no apiextensions paths: its document for the group is empty, and replaced here.
    const builtIn = openapi.v3.get(CRD_KEY);
    const ownCrdDocument = !builtIn || Object.keys(JSON.parse(builtIn.json).paths ?? {}).length === 0;
    state = { keys: new Set(), v2: JSON.parse(openapi.v2Json), names: new Set(), ownCrdDocument };
    published.set(openapi, state);
  }
  for (const key of state.keys) openapi.v3.delete(key);
  for (const name of state.names) delete openapi.schemas[name];
  state.keys.clear();
  state.names.clear();
  const byKey = new Map<string, CustomVersion[]>();
  for (const v of customVersions()) {
    const key = `apis/${v.type.group}/${v.type.version}`;
    byKey.set(key, [...(byKey.get(key) ?? []), v]);
  }
  const added: Record<string, unknown> = {};
  const docs = [...byKey].filter(([key]) => !openapi.v3.has(key)).map(([key, versions]) => groupVersionDocument(key, versions, openapi.schemas));
  if (state.ownCrdDocument) docs.push(document(CRD_KEY, crdSchema.paths(operations), { ...closure(openapi.schemas, [OBJECT_META]), ...crdSchema.schemas }));
  for (const doc of docs) {
    openapi.v3.set(doc.key, doc);
    state.keys.add(doc.key);
    for (const [name, schema] of Object.entries(JSON.parse(doc.json).components.schemas as Record<string, unknown>)) {
      if (name in openapi.schemas) continue;
      openapi.schemas[name] = schema;
      state.names.add(name);
      added[name] = schema;
    }
  }
  const definitions = JSON.parse(JSON.stringify(added).replaceAll(`"${REF}`, '"#/definitions/'));
  openapi.v2Json = JSON.stringify({ ...state.v2, definitions: { ...state.v2.definitions, ...definitions } });
}
