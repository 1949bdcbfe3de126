import { createHash } from 'node:crypto';
import { allResources, type ResourceType } from '../../resources/registry.js';
import { loadKubernetesSpec, type KubernetesSpec } from './load-kubernetes-spec.js';
import { SERVED_VERSION } from '../discovery/api-resource-list.js';

const SCHEMA_REF = '#/components/schemas/';
const BODY_REF = '#/components/requestBodies/';

/** One group/version's OpenAPI v3 document, as `/openapi/v3/apis/apps/v1` serves it. */
export interface GroupVersionDocument {
  /** `api/v1` or `apis/apps/v1`: the key in the `/openapi/v3` index. */
  key: string;
  hash: string;
  json: string;
}

export interface ServedOpenApi {
  v3Index: (baseUrl?: string) => Record<string, unknown>;
  v3: Map<string, GroupVersionDocument>;
  /** Swagger 2.0 JSON with the same definitions, for clients that read /openapi/v2 as JSON. */
  v2Json: string;
  /** Every served schema, for unknown-field warnings. */
  schemas: Record<string, any>;
}

function gvKey(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group ? `apis/${t.group}/${t.version}` : `api/${t.version}`;
}

/** Keeps a path only when its resource and subresource are served (no namespaces/finalize, pods/eviction…). */
function servedPath(path: string, prefix: string, types: ResourceType[]): boolean {
  if (!path.startsWith(`/${prefix}/`)) return false;
  let rest = path.slice(prefix.length + 2).split('/');
  if (rest[0] === 'watch') rest = rest.slice(1);
  if (rest[0] === 'namespaces' && rest[1] === '{namespace}' && rest.length > 2) rest = rest.slice(2);
  const [plural, name, sub, ...extra] = rest;
  const type = types.find((t) => t.plural === plural);
  if (!type || extra.length) return false;
  if (name !== undefined && !/^\{.+\}$/.test(name)) return false;
  return sub === undefined || (type.subresources as string[]).includes(sub);
}

function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(SCHEMA_REF)) into.add(v.slice(SCHEMA_REF.length));
      else collectRefs(v, into);
    }
  }
}

function schemaClosure(spec: KubernetesSpec, roots: Set<string>): Record<string, any> {
  const out: Record<string, any> = {};
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (out[name] || !spec.components.schemas[name]) continue;
    out[name] = spec.components.schemas[name];
    const refs = new Set<string>();
    collectRefs(out[name], refs);
    queue.push(...[...refs].filter((r) => !out[r]));
  }
  return out;
}

/** Inlines request bodies (kubectl looks for `application/strategic-merge-patch+json` in the operation itself) and drops the package's server hints. */
function normalizeOperation(spec: KubernetesSpec, op: any): any {
  const { servers: _servers, ...rest } = op;
  const ref: string | undefined = op.requestBody?.$ref;
  if (ref?.startsWith(BODY_REF)) rest.requestBody = spec.components.requestBodies[ref.slice(BODY_REF.length)];
  return rest;
}

function buildGroupVersion(spec: KubernetesSpec, key: string, types: ResourceType[]): GroupVersionDocument {
  const paths: Record<string, any> = {};
  for (const [path, item] of Object.entries(spec.paths)) {
    if (!servedPath(path, key, types)) continue;
    const out: Record<string, any> = {};
    for (const [method, op] of Object.entries(item)) {
      out[method] = method === 'parameters' ? op : normalizeOperation(spec, op);
    }
    paths[path] = out;
  }
  const roots = new Set<string>();
  collectRefs(paths, roots);
  const doc = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SERVED_VERSION.gitVersion },
    paths,
    components: {
      schemas: schemaClosure(spec, roots),
      securitySchemes: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' } },
    },
  };
  const json = JSON.stringify(doc);
  return { key, json, hash: createHash('sha512').update(json).digest('hex').slice(0, 128).toUpperCase() };
}

function toSwagger2(schemas: Record<string, any>): string {
  const definitions = JSON.parse(JSON.stringify(schemas).replaceAll('"#/components/schemas/', '"#/definitions/'));
  return JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: SERVED_VERSION.gitVersion }, paths: {}, definitions });
}

/**
 * Builds the runtime's OpenAPI documents at startup from Kubernetes' published
 * definitions, trimmed to the resources in the registry.
 */
export function buildServedOpenApi(): ServedOpenApi {
  const spec = loadKubernetesSpec();
  const byKey = new Map<string, ResourceType[]>();
  for (const t of allResources) byKey.set(gvKey(t), [...(byKey.get(gvKey(t)) ?? []), t]);
  const v3 = new Map<string, GroupVersionDocument>();
  const schemas: Record<string, any> = {};
  for (const [key, types] of byKey) {
    const doc = buildGroupVersion(spec, key, types);
    v3.set(key, doc);
    Object.assign(schemas, JSON.parse(doc.json).components.schemas);
  }
  return {
    v3,
    schemas,
    v2Json: toSwagger2(schemas),
    v3Index: () => ({
      paths: Object.fromEntries([...v3.values()].map((d) => [d.key, { serverRelativeURL: `/openapi/v3/${d.key}?hash=${d.hash}` }])),
    }),
  };
}
