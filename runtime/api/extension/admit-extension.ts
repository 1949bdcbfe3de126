import type { Response } from 'express';
import { methodNotAllowed, StatusError, type StatusCause } from '../../errors/status-error.js';
import type { KubeObject } from '../../kube/object.js';
import { qualifiedName, resources, type ResourceType } from '../../resources/registry.js';
import { duplicateFieldsOf, fieldValidationOf, strictDecodingError } from '../request/field-validation.js';
import { validateMetadata } from '../validation/validate-object.js';
import { customVersionOf } from './custom-versions.js';
import { isTerminating } from './crd-state.js';
import { applySchemaDefaults } from './schema-defaults.js';
import { pruneUnknownFields } from './schema-pruning.js';
import { validateValue } from './schema-validation.js';
import { defaultCrd, validateCrd } from './validate-crd.js';

/** true for the kinds this folder admits itself: CustomResourceDefinitions and custom resources. */
export function isExtensionType(type: ResourceType): boolean {
  return type.crd !== undefined || type === resources.customresourcedefinitions;
}

function invalidObject(type: ResourceType, obj: KubeObject, causes: StatusCause[]): StatusError {
  const name = obj.metadata.name ?? obj.metadata.generateName ?? '';
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  const qualified = type.group ? `${type.kind}.${type.group}` : type.kind;
  return new StatusError(422, 'Invalid', `${qualified} "${name}" is invalid: ${summary}`, { name, group: type.group, kind: type.kind, causes });
}

function admitCustomResource(res: Response, type: ResourceType, input: KubeObject, live: KubeObject | undefined, warn: (w: string[]) => void): KubeObject {
  const version = customVersionOf(type);
  if (!version) throw new StatusError(404, 'NotFound', `the server could not find the requested resource (${qualifiedName(type)})`);
  if (!live && isTerminating(version.crd)) {
    throw methodNotAllowed(`create not allowed while custom resource definition is terminating`);
  }
  const obj = structuredClone(input);
  // fieldValidation as for built-in kinds (kubectl sends Strict by default): unknown and duplicate fields.
  const mode = fieldValidationOf(res.req);
  const problems = [...pruneUnknownFields(obj, version.schema).map((p) => `unknown field "${p}"`), ...duplicateFieldsOf(res.req).map((p) => `duplicate field "${p}"`)];
  if (problems.length > 0 && mode === 'Strict') throw strictDecodingError(type, problems);
  if (mode === 'Warn') warn(problems);
  applySchemaDefaults(obj, version.schema);
  // A CR's kind may be a built-in's (Knative's Service): name rules are the default ones, not that kind's.
  const causes = [...validateMetadata(obj, { ...type, kind: version.crd }), ...validateValue(obj, version.schema, '')];
  if (causes.length > 0) throw invalidObject(type, obj, causes);
  return obj;
}

function hasCelRules(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasCelRules);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([k, v]) => k === 'x-kubernetes-validations' || hasCelRules(v));
}

function admitCrd(type: ResourceType, input: KubeObject, live: KubeObject | undefined, warn: (w: string[]) => void): KubeObject {
  const obj = structuredClone(input);
  defaultCrd(obj, !live);
  const causes = [...validateMetadata(obj, type), ...validateCrd(obj, live)];
  if (causes.length > 0) throw invalidObject(type, obj, causes);
  // CEL needs an evaluator this runtime lacks; the CRD is served, and the client told its rules are not checked.
  if (hasCelRules(obj.spec?.versions)) warn(['x-kubernetes-validations (CEL) rules are not enforced by the baton runtime']);
  return obj;
}

/**
 * Admission of a CustomResourceDefinition (Kubernetes' defaults, then its
 * validation) or of a custom resource (pruning of unknown fields, per
 * `fieldValidation`; the schema's defaults; validation against the version's
 * schema). Returns the object to store; throws a 422 naming every bad field.
 */
export function admitExtensionObject(res: Response, type: ResourceType, obj: KubeObject, live: KubeObject | undefined, warn: (warnings: string[]) => void): KubeObject {
  return type.crd === undefined ? admitCrd(type, obj, live, warn) : admitCustomResource(res, type, obj, live, warn);
}
