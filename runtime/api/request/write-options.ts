import type { Request } from 'express';
import { badRequest, StatusError, type StatusCause } from '../../errors/status-error.js';
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
function dryRunCauses(values: string[]): StatusCause[] {
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
function invalidOptions(kind: OptionsKind, causes: StatusCause[]): StatusError {
  const list = [...new Set(causes.map((c) => `${c.field}: ${c.message}`))];
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: ${summary}`, { group: 'meta.k8s.io', kind, causes });
}

function queryValues(req: Request, name: string): string[] | undefined {
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

function dryRunList(given: unknown): string[] {
  const list = given ?? [];
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) throw badRequest(`DeleteOptions.dryRun must be a list of strings, got ${JSON.stringify(list)}`);
  return list as string[];
}

/**
 * Whether an eviction is a dry run: its query's dryRun (checked by
 * checkWriteOptions) pushed into the Eviction's deleteOptions, as
 * EvictionREST's propagateDryRun does. `kubectl drain --dry-run=server`
 * sends it in the body only.
 */
export function evictionDryRun(req: Request, deleteOptions: Record<string, unknown> | undefined): boolean {
  const query = queryValues(req, 'dryRun') ?? [];
  const body = dryRunList(deleteOptions?.dryRun);
  if (body.length && query.length && (body.length !== query.length || body.some((v, i) => v !== query[i]))) {
    // kube-apiserver answers this plain error as a 500.
    throw new StatusError(500, 'InternalError', `Non-matching dry-run options in request and content: [${query.join(' ')}] and [${body.join(' ')}]`);
  }
  const dryRun = body.length ? body : query;
  const causes = dryRunCauses(dryRun);
  if (causes.length) throw invalidOptions('DeleteOptions', causes);
  return dryRun.length > 0;
}

/**
 * Whether a delete is a dry run. Kubernetes reads DeleteOptions from the body
 * when there is one (kubectl sends `dryRun` there) and from the query only
 * when there is none, then checks them with ValidateDeleteOptions.
 */
export function checkDeleteDryRun(req: Request, body: Record<string, unknown> | undefined): boolean {
  const dryRun = body ? dryRunList(body.dryRun) : (queryValues(req, 'dryRun') ?? []);
  const causes = dryRunCauses(dryRun);
  if (causes.length) throw invalidOptions('DeleteOptions', causes);
  return dryRun.length > 0;
}
