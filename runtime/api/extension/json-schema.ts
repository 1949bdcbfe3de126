/** A CRD version's `schema.openAPIV3Schema` node (apiextensions.k8s.io/v1 JSONSchemaProps), as stored. */
export interface JsonSchema {
  type?: string;
  format?: string;
  description?: string;
  title?: string;
  nullable?: boolean;
  default?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  not?: JsonSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  [extension: string]: unknown;
}

export function isObjectValue(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema of a map's values, when additionalProperties gives one. */
export function additionalSchema(schema: JsonSchema): JsonSchema | undefined {
  const extra = schema.additionalProperties;
  return typeof extra === 'object' && extra !== null ? extra : undefined;
}

/** Child path as Kubernetes' field.Path prints it: `spec.replicas`, `spec.ports[0]`, `spec.labels[app]`. */
export function childPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
