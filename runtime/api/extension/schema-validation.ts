import { isDeepStrictEqual } from 'node:util';
import type { StatusCause } from '../../errors/status-error.js';
import { invalidValue, notSupported, required, tooLong } from '../validation/field-error.js';
import { additionalSchema, childPath, isObjectValue, type JsonSchema } from './json-schema.js';

/** The JSON type name go-openapi reports for a value (`must be of type integer: "string"`). */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isObjectValue(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

const FORMATS: Record<string, RegExp> = {
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  hostname: /^(?=.{1,253}$)[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/,
  ipv4: /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
  uuid: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  uri: /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/,
};

function formatProblem(schema: JsonSchema, value: string, path: string): StatusCause | undefined {
  const rule = schema.format ? FORMATS[schema.format] : undefined;
  if (!rule || rule.test(value)) return undefined;
  return invalidValue(path, value, `${path} in body must be of type ${schema.format}: ${JSON.stringify(value)}`);
}

function numberProblems(s: JsonSchema, value: number, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (s.minimum !== undefined && (s.exclusiveMinimum ? value <= s.minimum : value < s.minimum)) {
    out.push(invalidValue(path, value, `${path} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
  }
  if (s.maximum !== undefined && (s.exclusiveMaximum ? value >= s.maximum : value > s.maximum)) {
    out.push(invalidValue(path, value, `${path} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
  }
  if (s.multipleOf && !Number.isInteger(value / s.multipleOf)) out.push(invalidValue(path, value, `${path} in body should be a multiple of ${s.multipleOf}`));
  return out;
}

function stringProblems(s: JsonSchema, value: string, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const length = [...value].length;
  if (s.minLength !== undefined && length < s.minLength) out.push(invalidValue(path, value, `${path} in body should be at least ${s.minLength} chars long`));
  if (s.maxLength !== undefined && length > s.maxLength) out.push(tooLong(path, s.maxLength));
  if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) out.push(invalidValue(path, value, `${path} in body should match '${s.pattern}'`));
  const format = formatProblem(s, value, path);
  if (format) out.push(format);
  return out;
}

function arrayProblems(s: JsonSchema, value: unknown[], path: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (s.minItems !== undefined && value.length < s.minItems) out.push(invalidValue(path, value.length, `${path} in body should have at least ${s.minItems} items`));
  if (s.maxItems !== undefined && value.length > s.maxItems) {
    out.push({ reason: 'FieldValueTooMany', field: path, message: `Too many: ${value.length}: must have at most ${s.maxItems} items` });
  }
  if (s.items) value.forEach((v, i) => out.push(...validateValue(v, s.items!, `${path}[${i}]`)));
  return out;
}

function objectProblems(s: JsonSchema, value: Record<string, unknown>, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  for (const key of s.required ?? []) if (!(key in value)) out.push(required(childPath(path, key)));
  const count = Object.keys(value).length;
  if (s.minProperties !== undefined && count < s.minProperties) out.push(invalidValue(path, count, `${path} in body should have at least ${s.minProperties} properties`));
  if (s.maxProperties !== undefined && count > s.maxProperties) out.push({ reason: 'FieldValueTooMany', field: path, message: `Too many: ${count}: must have at most ${s.maxProperties} items` });
  const extra = additionalSchema(s);
  for (const [key, v] of Object.entries(value)) {
    const child = s.properties?.[key];
    // metadata is ObjectMeta, checked as every kind's metadata is.
    if (child && !(path === '' && key === 'metadata')) out.push(...validateValue(v, child, childPath(path, key)));
    else if (!child && extra) out.push(...validateValue(v, extra, `${path}[${key}]`));
    else if (!child && s.additionalProperties === false && s.properties) out.push({ reason: 'FieldValueForbidden', field: childPath(path, key), message: 'Forbidden: additional properties are not allowed' });
  }
  return out;
}

/** The anyOf/allOf/oneOf/not rules; their failures are reported as Kubernetes does, on the field itself. */
function junctorProblems(s: JsonSchema, value: unknown, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  for (const part of s.allOf ?? []) out.push(...validateValue(value, part, path));
  if (s.anyOf && !s.anyOf.some((part) => validateValue(value, part, path).length === 0)) {
    out.push(invalidValue(path, value, `${path} in body must match at least one schema in anyOf`));
  }
  if (s.oneOf && s.oneOf.filter((part) => validateValue(value, part, path).length === 0).length !== 1) {
    out.push(invalidValue(path, value, `${path} in body must validate one and only one schema (oneOf)`));
  }
  if (s.not && validateValue(value, s.not, path).length === 0) out.push(invalidValue(path, value, `${path} in body should not validate the schema`));
  return out;
}

/**
 * Checks a value against a structural schema and returns one cause per
 * problem, worded as Kubernetes reports a custom resource's schema errors
 * (`spec.replicas: Invalid value: "string": spec.replicas in body must be of
 * type integer: "string"`).
 */
export function validateValue(value: unknown, schema: JsonSchema, path: string): StatusCause[] {
  if (value === null) {
    if (schema.nullable || schema['x-kubernetes-preserve-unknown-fields'] && !schema.type) return [];
    if (!schema.type) return [];
    return [invalidValue(path, 'null', `${path} in body must be of type ${schema.type}: "null"`)];
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
      return [invalidValue(path, jsonType(value), `${path} in body must be of type integer,string: ${JSON.stringify(jsonType(value))}`)];
    }
  } else if (schema.type && !typeMatches(schema.type, value)) {
    return [invalidValue(path, jsonType(value), `${path} in body must be of type ${schema.type}: ${JSON.stringify(jsonType(value))}`)];
  }
  const out: StatusCause[] = [];
  if (schema.enum && !schema.enum.some((e) => isDeepStrictEqual(e, value))) {
    out.push(notSupported(path, value, schema.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (typeof value === 'number') out.push(...numberProblems(schema, value, path));
  else if (typeof value === 'string') out.push(...stringProblems(schema, value, path));
  else if (Array.isArray(value)) out.push(...arrayProblems(schema, value, path));
  else if (isObjectValue(value)) out.push(...objectProblems(schema, value, path));
  out.push(...junctorProblems(schema, value, path));
  return out;
}
