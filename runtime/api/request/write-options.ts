import type { Request } from 'express';
import { StatusError, type StatusCause } from '../../errors/status-error.js';
import { forbidden, notSupported, required, tooLong } from '../validation/field-error.js';
import type { PatchType } from './media-type.js';
import { firstValue, queryOf } from './query-options.js';

export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions';

const FIELD_MANAGER_MAX = 128;
const FIELD_VALIDATIONS = ['', 'Ignore', 'Strict', 'Warn'];
/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const UNPRINTABLE = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

/** Go's `%#v` of a []string, as field.NotSupported prints a list it was given. */
function goStrings(values: string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

/** metav1 validation.ValidateDryRun: every value must be All, so an empty `dryRun=` is refused too. */
export function dryRunCauses(values: string[]): StatusCause[] {
  if (values.every((v) => v === 'All')) return [];
  return [{ reason: 'FieldValueNotSupported', field: 'dryRun', message: `Unsupported value: ${goStrings(values)}: supported values: "All"` }];
}

function fieldManagerCauses(manager: string): StatusCause[] {
  const causes = manager.length > FIELD_MANAGER_MAX ? [tooLong('fieldManager', FIELD_MANAGER_MAX)] : [];
  const bad = UNPRINTABLE.exec(manager);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    const at = Buffer.byteLength(manager.slice(0, bad.index));
    causes.push({ reason: 'FieldValueInvalid', field: 'fieldManager', message: `Invalid value: ${JSON.stringify(manager)}: invalid character U+${code} (at position ${at})` });
  }
  return causes;
}

/** The 422 kube-apiserver answers for bad request options: errors.NewInvalid on meta.k8s.io's options kind, unnamed. */
export function invalidOptions(kind: OptionsKind, causes: StatusCause[]): StatusError {
  const list = [...new Set(causes.map((c) => `${c.field}: ${c.message}`))];
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: ${summary}`, { group: 'meta.k8s.io', kind, causes });
}

export function queryValues(req: Request, name: string): string[] | undefined {
  const value = queryOf(req)[name];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}

/**
 * The query options of a create, update or patch, checked as kube-apiserver's
 * ValidateCreateOptions / ValidateUpdateOptions / ValidatePatchOptions do,
 * before the body is decoded. Returns whether the write is a dry run.
 */
export function checkWriteOptions(req: Request, kind: Exclude<OptionsKind, 'DeleteOptions'>, patchType?: PatchType): boolean {
  const causes: StatusCause[] = [];
  const manager = firstValue(queryOf(req), 'fieldManager') ?? '';
  if (kind === 'PatchOptions' && patchType !== 'apply' && queryValues(req, 'force')?.length) causes.push(forbidden('force', 'may not be specified for non-apply patch'));
  if (kind === 'PatchOptions' && patchType === 'apply' && !manager) causes.push(required('fieldManager', 'is required for apply patch'));
  causes.push(...fieldManagerCauses(manager));
  const dryRun = queryValues(req, 'dryRun') ?? [];
  causes.push(...dryRunCauses(dryRun));
  const validation = firstValue(queryOf(req), 'fieldValidation') ?? '';
  if (!FIELD_VALIDATIONS.includes(validation)) causes.push(notSupported('fieldValidation', validation, FIELD_VALIDATIONS));
  if (causes.length) {
    // Refused before the body is read: drain it so the connection stays usable.
    req.resume();
    throw invalidOptions(kind, causes);
  }
  return dryRun.length > 0;
}
