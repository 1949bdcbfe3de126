import type { Response } from 'express';
import type { KubeObject } from '../../kube/object.js';
import type { ResourceType } from '../../resources/registry.js';
import { pruneUnknownFields } from '../openapi/unknown-fields.js';
import { duplicateFieldsOf, fieldValidationOf, strictDecodingError } from '../request/field-validation.js';
import { addWarnings } from '../handlers/respond.js';

/**
 * Server-side field validation of a built-in kind's object: fields its
 * published schema does not know are dropped, as Kubernetes' decoder drops
 * them; `fieldValidation=Strict` refuses them and duplicate JSON keys with a
 * 400, Warn (the default) names each in a `Warning` header, Ignore says
 * nothing. Prunes `obj` itself: every caller hands over an object of its own
 * (a decoded body, a patch's or apply's result), and a copy of each cost as
 * much as the check.
 */
export function admitFields(res: Response, schemas: Record<string, any>, type: ResourceType, obj: KubeObject): KubeObject {
  const mode = fieldValidationOf(res.req);
  const problems = [
    ...pruneUnknownFields(schemas, obj).map((path) => `unknown field "${path}"`),
    ...duplicateFieldsOf(res.req).map((path) => `duplicate field "${path}"`),
  ];
  if (problems.length && mode === 'Strict') throw strictDecodingError(type, problems);
  if (mode === 'Warn') addWarnings(res, problems);
  return obj;
}
