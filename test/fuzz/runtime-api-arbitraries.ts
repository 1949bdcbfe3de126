import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { resources, type ResourceName } from '../../runtime/resources/registry.js';
import { manifestFor } from '../runtime-api/manifests.js';
import { jsonMutation, mutateJson } from './json-mutation.js';

export const namespacePool = ['fuzz', 'fuzz-b', 'default'];
export const namePool = ['seed', 'web', 'x'];

const resourceNames = Object.keys(resources) as ResourceName[];

export function seedObject(resource: ResourceName, name: string, namespace: string): Record<string, unknown> {
  return parse(manifestFor(resource, name, namespace)) as Record<string, unknown>;
}

function prefixOf(resource: ResourceName): string {
  const t = resources[resource];
  return t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
}

const oddSegment = fc.oneof(
  fc.constantFrom('%E0%A4%A', '%', '%zz', '..', '.', '%2F', 'a%00b', 'UPPER', 'a'.repeat(300), '-', 'ünï', '%C0%AF', 'watch', 'status', 'scale', 'log', 'namespaces', 'finalize', '__proto__', 'constructor'),
  fc.string({ maxLength: 10 }).map((s) => encodeURIComponent(s)),
);

const name = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...namePool) }, { weight: 1, arbitrary: oddSegment });
const namespace = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...namespacePool) }, { weight: 1, arbitrary: oddSegment });

/** A path the runtime serves (or nearly does): discovery, OpenAPI, every resource's collections, items and subresources. */
export const apiPath = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('/version', '/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/apis/networking.k8s.io/v1', '/apis/batch/v1', '/api/v2', '/openapi/v2', '/openapi/v3', '/openapi/v3/api/v1', '/openapi/v3/apis/apps/v1', '/openapi/v3/nope', '/healthz', '/readyz', '/livez', '/', '/metrics', '/api/v1/namespaces/fuzz/pods/seed/exec', '/apis/apps/v1/namespaces/fuzz/deployments/web/rollback') },
  {
    weight: 12,
    arbitrary: fc
      .record({
        resource: fc.constantFrom(...resourceNames),
        namespace,
        name: fc.option(name, { freq: 3 }),
        sub: fc.option(fc.oneof(fc.constantFrom('status', 'scale', 'log', 'finalize'), oddSegment), { freq: 3 }),
        clusterWide: fc.boolean(),
        watchPrefix: fc.integer({ min: 0, max: 20 }),
      })
      .map(({ resource, namespace: ns, name: n, sub, clusterWide, watchPrefix }) => {
        const t = resources[resource];
        const base = prefixOf(resource) + (watchPrefix === 0 ? '/watch' : '');
        const scope = t.namespaced && !(clusterWide && n === null) ? `/namespaces/${ns}` : '';
        let path = `${base}${scope}/${t.plural}`;
        if (n !== null) path += `/${n}${sub !== null ? `/${sub}` : ''}`;
        return path;
      }),
  },
  { weight: 1, arbitrary: fc.array(oddSegment, { minLength: 1, maxLength: 6 }).map((parts) => `/${parts.join('/')}`) },
  { weight: 1, arbitrary: fc.array(oddSegment, { maxLength: 4 }).map((parts) => `/api/v1/${parts.join('/')}`) },
);

const queryValue = fc.oneof(fc.constantFrom('1', 'true', 'True', '0', '', '-1', 'abc', '9999999999999999999', 'All', 'None', 'Object', 'Background', 'Foreground', 'Orphan'), fc.string({ maxLength: 12 }));

const someQuery = fc
  .array(
    fc.tuple(
      fc.constantFrom('watch', 'timeoutSeconds', 'labelSelector', 'fieldSelector', 'resourceVersion', 'dryRun', 'fieldManager', 'force', 'propagationPolicy', 'gracePeriodSeconds', 'orphanDependents', 'limit', 'continue', 'includeObject', 'allowWatchBookmarks', 'container', 'tailLines', 'follow', 'fieldValidation', 'pretty'),
      fc.oneof(queryValue, fc.constantFrom('app=web', 'app in (a,b)', '!app', 'app!=x', 'metadata.name=seed', 'spec.nodeName=', 'a=b,', '=', 'app notin ()', 'a,b,c', 'x==y', 'status.phase!=Running')),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'));

/** Query parameters kubectl and client-go send, with odd values; often none, so requests also get past query checks. */
export const query = fc.oneof(fc.constant(''), someQuery);

const jsonPatchOp = fc.record(
  {
    op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'), fc.string({ maxLength: 5 })),
    path: fc.oneof(fc.constantFrom('/metadata/labels/a', '/metadata/labels', '/metadata/name', '/metadata/resourceVersion', '/metadata/namespace', '/spec/replicas', '/spec', '/data/k', '/kind', '/apiVersion', '', '/', '/-', '/spec/template/spec/containers/0', '/spec/template/spec/containers/-', '/a~2b', '/__proto__/polluted', '/metadata/__proto__', '/status'), fc.string({ maxLength: 8 })),
    from: fc.constantFrom('/metadata/labels', '/spec', '/nope', '', '/metadata/name'),
    value: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: ['op', 'path'] },
);

/** A request body: a valid object of some kind (often mutated), a patch, JSON, YAML or raw bytes. */
export const requestBody = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ resource: fc.constantFrom(...resourceNames), name: fc.constantFrom(...namePool), namespace: fc.constantFrom(...namespacePool), mutations: fc.array(jsonMutation, { maxLength: 3 }), yaml: fc.boolean() }).map(
      ({ resource, name: n, namespace: ns, mutations, yaml }) => {
        const value = mutateJson(seedObject(resource, n, ns), mutations);
        return (yaml ? (stringify(value) as string | undefined) : JSON.stringify(value)) ?? '';
      },
    ),
  },
  { weight: 2, arbitrary: fc.array(jsonPatchOp, { maxLength: 4 }).map((ops) => JSON.stringify(ops)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? '') },
  { weight: 1, arbitrary: fc.record({ metadata: fc.record({ labels: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null), fc.integer())), resourceVersion: fc.oneof(fc.constant('1'), fc.string({ maxLength: 4 })) }, { requiredKeys: [] }), spec: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', '[]', '{}', '"str"', '1', 'metadata: [unclosed', 'a: &a [*a]', '{"a":' + '['.repeat(5000), 'kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: y\n', '\u0000\u0001', '{"__proto__": {"polluted": true}}') },
);

export const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('application/json', 'application/yaml', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/vnd.kubernetes.protobuf') },
  { weight: 1, arbitrary: fc.constantFrom(undefined, 'text/plain', '*/*', 'application/json; charset=utf-16', 'application/apply-patch+cbor', 'APPLICATION/JSON', 'multipart/form-data', ';;;') },
);

export const accept = fc.constantFrom(undefined, undefined, undefined, 'application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json', 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', 'application/vnd.kubernetes.protobuf', 'text/html', '*/*');

export const method = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE') }, { weight: 1, arbitrary: fc.constantFrom('HEAD', 'OPTIONS') });

/** A request kubectl could send: the body is an object of the resource the path names, often mutated, so writes reach defaulting, validation and the store. */
export const coherentRequest = fc
  .record({
    resource: fc.constantFrom(...resourceNames),
    namespace: fc.constantFrom(...namespacePool),
    name: fc.constantFrom(...namePool, 'new-a', 'new-b'),
    verb: fc.constantFrom('create', 'update', 'update-status', 'merge', 'strategic', 'apply', 'json-patch', 'scale', 'delete', 'get', 'list'),
    mutations: fc.array(jsonMutation, { maxLength: 3 }),
    ops: fc.array(jsonPatchOp, { minLength: 1, maxLength: 3 }),
    dryRun: fc.boolean(),
  })
  .map(({ resource, namespace: ns, name: n, verb, mutations, ops, dryRun }) => {
    const t = resources[resource];
    const collection = `${prefixOf(resource)}${t.namespaced ? `/namespaces/${ns}` : ''}/${t.plural}`;
    const item = `${collection}/${n}`;
    const object = JSON.stringify(mutateJson(seedObject(resource, n, t.namespaced ? ns : n), mutations)) ?? '';
    const q = dryRun ? '?dryRun=All' : '';
    switch (verb) {
      case 'create':
        return { method: 'POST', path: collection + q, body: object, contentType: 'application/json' };
      case 'update':
        return { method: 'PUT', path: item + q, body: object, contentType: 'application/json' };
      case 'update-status':
        return { method: 'PUT', path: `${item}/status${q}`, body: object, contentType: 'application/json' };
      case 'merge':
        return { method: 'PATCH', path: item + q, body: object, contentType: 'application/merge-patch+json' };
      case 'strategic':
        return { method: 'PATCH', path: item + q, body: object, contentType: 'application/strategic-merge-patch+json' };
      case 'apply':
        return { method: 'PATCH', path: `${item}?fieldManager=fuzz&force=true${dryRun ? '&dryRun=All' : ''}`, body: object, contentType: 'application/apply-patch+yaml' };
      case 'json-patch':
        return { method: 'PATCH', path: item + q, body: JSON.stringify(ops), contentType: 'application/json-patch+json' };
      case 'scale':
        return { method: 'PATCH', path: `${item}/scale`, body: JSON.stringify({ spec: { replicas: mutations.length } }), contentType: 'application/merge-patch+json' };
      case 'delete':
        return { method: 'DELETE', path: item + q, body: undefined, contentType: undefined };
      case 'get':
        return { method: 'GET', path: item, body: undefined, contentType: undefined };
      default:
        return { method: 'GET', path: `${collection}?labelSelector=${encodeURIComponent(`app=${n}`)}`, body: undefined, contentType: undefined };
    }
  });
