import type { StatusCause } from '../../errors/status-error.js';
import { forbidden, invalidValue, required } from '../validation/field-error.js';
import { additionalSchema, type JsonSchema } from './json-schema.js';

type Level = 'root' | 'item' | 'field';

const X_EXTENSIONS = ['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string', 'x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-validations'];

function isIntOrStringAnyOf(anyOf: JsonSchema[] | undefined): boolean {
  return anyOf?.length === 2 && anyOf[0].type === 'integer' && anyOf[1].type === 'string' && Object.keys(anyOf[0]).length === 1 && Object.keys(anyOf[1]).length === 1;
}

/** What a schema under allOf/anyOf/oneOf/not may not say: it only restricts values (validateNestedValueValidation). */
function nestedProblems(s: JsonSchema, path: string, skipAnyOf: boolean): StatusCause[] {
  const out: StatusCause[] = [];
  if (s.type !== undefined) out.push(forbidden(`${path}.type`, 'must be empty to be structural'));
  if (s.additionalProperties !== undefined) out.push(forbidden(`${path}.additionalProperties`, 'must be undefined to be structural'));
  if (s.default !== undefined) out.push(forbidden(`${path}.default`, 'must be undefined to be structural'));
  if (s.title) out.push(forbidden(`${path}.title`, 'must be empty to be structural'));
  if (s.description) out.push(forbidden(`${path}.description`, 'must be empty to be structural'));
  if (s.nullable) out.push(forbidden(`${path}.nullable`, 'must be false to be structural'));
  for (const x of X_EXTENSIONS) if (s[x] !== undefined && s[x] !== false) out.push(forbidden(`${path}.${x}`, 'must be false to be structural'));
  if (s.properties?.metadata) out.push(forbidden(`${path}.properties[metadata]`, 'must not be specified in a nested context'));
  for (const [k, v] of Object.entries(s.properties ?? {})) out.push(...nestedProblems(v, `${path}.properties[${k}]`, false));
  if (s.items) out.push(...nestedProblems(s.items, `${path}.items`, false));
  out.push(...junctorProblems(s, path, skipAnyOf));
  return out;
}

function junctorProblems(s: JsonSchema, path: string, skipAnyOf: boolean): StatusCause[] {
  const out: StatusCause[] = [];
  if (!skipAnyOf) (s.anyOf ?? []).forEach((v, i) => out.push(...nestedProblems(v, `${path}.anyOf[${i}]`, false)));
  (s.allOf ?? []).forEach((v, i) => out.push(...nestedProblems(v, `${path}.allOf[${i}]`, i === 0 && isIntOrStringAnyOf(v.anyOf))));
  (s.oneOf ?? []).forEach((v, i) => out.push(...nestedProblems(v, `${path}.oneOf[${i}]`, false)));
  if (s.not) out.push(...nestedProblems(s.not, `${path}.not`, false));
  if (s.pattern !== undefined) {
    try {
      new RegExp(s.pattern, 'u');
    } catch (err) {
      out.push(invalidValue(`${path}.pattern`, s.pattern, `must be a valid regular expression, but isn't: ${(err as Error).message}`));
    }
  }
  return out;
}

function metadataProblems(s: JsonSchema, path: string, level: Level, checkMetadata: boolean): StatusCause[] {
  const out: StatusCause[] = [];
  if (checkMetadata && s.type !== 'object') out.push(invalidValue(`${path}.type`, s.type ?? '', 'must be object'));
  if (level !== 'root') return out;
  const { type: _type, default: _default, properties, ...rest } = s;
  const others = Object.keys(properties ?? {}).filter((k) => k !== 'name' && k !== 'generateName');
  if (others.length > 0 || Object.keys(rest).length > 0) {
    out.push(forbidden(path, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
  }
  return out;
}

function invariants(s: JsonSchema, level: Level, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (s.$ref !== undefined) out.push(forbidden(`${path}.$ref`, '$ref is not supported'));
  if (s.uniqueItems === true) out.push(forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s.type === 'array' && !s.items) out.push(required(`${path}.items`, 'must be specified'));
  if (s.items) out.push(...invariants(s.items, 'item', `${path}.items`));
  for (const [k, v] of Object.entries(s.properties ?? {})) out.push(...invariants(v, 'field', `${path}.properties[${k}]`));
  if (s.additionalProperties !== undefined && s.additionalProperties !== true) {
    if (level === 'root') out.push(forbidden(`${path}.additionalProperties`, 'must not be used at the root'));
    if (s.properties) out.push(forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
    const extra = additionalSchema(s);
    if (extra) out.push(...invariants(extra, 'field', `${path}.additionalProperties`));
  }
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (intOrString && preserve) out.push(invalidValue(`${path}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  if (intOrString && embedded) out.push(invalidValue(`${path}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));
  out.push(...junctorProblems(s, path, isIntOrStringAnyOf(s.anyOf)));
  if (embedded && s.type !== 'object') {
    if (!s.type) out.push(required(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true'));
    else out.push(invalidValue(`${path}.type`, s.type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!s.type && !intOrString && !preserve) {
    const where = { root: 'at the root', item: 'for specified array items', field: 'for specified object fields' }[level];
    out.push(required(`${path}.type`, `must not be empty ${where}`));
  }
  if (embedded && s.additionalProperties !== undefined) out.push(forbidden(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'));
  if (level === 'root' && s.type && s.type !== 'object') out.push(invalidValue(`${path}.type`, s.type, 'must be object at the root'));
  const checkMetadata = level === 'root' || embedded;
  for (const key of ['kind', 'apiVersion']) {
    const child = s.properties?.[key];
    if (child && checkMetadata && child.type !== 'string') out.push(invalidValue(`${path}.properties[${key}].type`, child.type ?? '', 'must be string'));
  }
  if (s.properties?.metadata) out.push(...metadataProblems(s.properties.metadata, `${path}.properties[metadata]`, level, checkMetadata));
  if (embedded && !preserve && Object.keys(s.properties ?? {}).length === 0) {
    out.push(required(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  return out;
}

/**
 * The problems that make a CRD version's schema not structural, as
 * apiextensions-apiserver's ValidateStructural words them (sorted as it sorts
 * them); `path` is the schema's own field path.
 */
export function structuralProblems(schema: JsonSchema, path: string): StatusCause[] {
  return invariants(schema, 'root', path).sort((a, b) => `${a.field}: ${a.message}`.localeCompare(`${b.field}: ${b.message}`));
}
