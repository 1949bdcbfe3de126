const REF = '#/components/schemas/';
const CRD = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition';
const GVK = { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' };

const str = (description: string) => ({ type: 'string', description });
const strings = (description: string) => ({ type: 'array', items: { type: 'string' }, description });
const open = (description: string) => ({ type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true });

const names = {
  type: 'object',
  required: ['plural', 'kind'],
  properties: {
    plural: str('plural is the plural name of the resource to serve, lowercase.'),
    singular: str('singular is the singular name of the resource, lowercase. Defaults to the lowercased kind.'),
    kind: str('kind is the serialized kind of the resource, normally CamelCase and singular.'),
    listKind: str('listKind is the serialized kind of the list for this resource. Defaults to "`kind`List".'),
    shortNames: strings('shortNames are short names for the resource, exposed in API discovery documents.'),
    categories: strings('categories is a list of grouped resources this custom resource belongs to (e.g. \'all\').'),
  },
};

const version = {
  type: 'object',
  required: ['name', 'served', 'storage'],
  properties: {
    name: str('name is the version name, e.g. "v1", "v2beta1".'),
    served: { type: 'boolean', description: 'served is a flag enabling/disabling this version from being served via REST APIs.' },
    storage: { type: 'boolean', description: 'storage indicates this version should be used when persisting custom resources. Exactly one version must be storage.' },
    deprecated: { type: 'boolean', description: 'deprecated indicates this version of the custom resource API is deprecated.' },
    deprecationWarning: str('deprecationWarning overrides the default warning returned to API clients.'),
    schema: {
      type: 'object',
      description: 'schema describes the schema used for validation, pruning, and defaulting of this version of the custom resource.',
      properties: { openAPIV3Schema: open('openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.') },
    },
    subresources: {
      type: 'object',
      description: 'subresources specify what subresources this version of the defined custom resource have.',
      properties: { status: open('status indicates the custom resource should serve a `/status` subresource.'), scale: open('scale indicates the custom resource should serve a `/scale` subresource.') },
    },
    additionalPrinterColumns: { type: 'array', items: open('a column of `kubectl get` output'), description: 'additionalPrinterColumns specifies additional columns returned in Table output.' },
  },
};

/**
 * A compact OpenAPI v3 description of apiextensions.k8s.io/v1
 * CustomResourceDefinition (the runtime's trimmed Kubernetes spec has none):
 * enough for `kubectl explain crd.spec` and for kubectl to see that the
 * server validates fields itself.
 */
export const crdSchema = {
  schemas: {
    [CRD]: {
      type: 'object',
      description: 'CustomResourceDefinition represents a resource that should be exposed on the API server. Its name MUST be in the format <.spec.name>.<.spec.group>.',
      required: ['spec'],
      properties: {
        apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
        kind: str('Kind is a string value representing the REST resource this object represents.'),
        metadata: { allOf: [{ $ref: `${REF}io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta` }], description: "Standard object's metadata." },
        spec: {
          type: 'object',
          description: 'spec describes how the user wants the resources to appear',
          required: ['group', 'names', 'scope', 'versions'],
          properties: {
            group: str('group is the API group of the defined custom resource.'),
            names: names,
            scope: str('scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`.'),
            versions: { type: 'array', items: version, description: 'versions is the list of all API versions of the defined custom resource.' },
            conversion: open('conversion defines conversion settings for the CRD. Only strategy None is served by this runtime.'),
            preserveUnknownFields: { type: 'boolean', description: 'preserveUnknownFields must be false.' },
          },
        },
        status: open('status indicates the actual state of the CustomResourceDefinition'),
      },
      'x-kubernetes-group-version-kind': [GVK],
    },
  },
  paths(operations: (gvk: Record<string, string>, itemRef: string, scope: string) => { item: Record<string, unknown>; list: Record<string, unknown> }): Record<string, unknown> {
    const ops = operations(GVK, `${REF}${CRD}`, '');
    return {
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions': ops.list,
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}': ops.item,
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}/status': { get: ops.item.get, put: ops.item.put, patch: ops.item.patch },
    };
  },
};
