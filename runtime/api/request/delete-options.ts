import type { Request } from 'express';
import { badRequest, StatusError, type StatusCause } from '../../errors/status-error.js';
import type { DeleteOptions } from '../../objects/cluster.js';
import { invalidValue, notSupported } from '../validation/field-error.js';
import { firstValue, flagValue, queryInt, queryOf } from './query-options.js';
import { dryRunCauses, invalidOptions, queryValues } from './write-options.js';

const POLICIES = ['Foreground', 'Background', 'Orphan'];

/** DeleteOptions as a client gave them, in a body or as query parameters. */
interface GivenDeleteOptions {
  propagationPolicy?: unknown;
  orphanDependents?: unknown;
  gracePeriodSeconds?: unknown;
  preconditions?: unknown;
  dryRun?: unknown;
}

export interface CheckedDeleteOptions {
  options: DeleteOptions;
  dryRun: boolean;
}

function dryRunList(given: unknown): string[] {
  const list = given ?? [];
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string')) throw badRequest(`DeleteOptions.dryRun must be a list of strings, got ${JSON.stringify(list)}`);
  return list as string[];
}

/** DeleteOptions checked as metav1 validation.ValidateDeleteOptions does (422 on DeleteOptions.meta.k8s.io). */
function checked(given: GivenDeleteOptions): CheckedDeleteOptions {
  const causes: StatusCause[] = [];
  const policy = given.propagationPolicy ?? undefined;
  const orphan = given.orphanDependents ?? undefined;
  if (policy !== undefined && orphan !== undefined) causes.push(invalidValue('propagationPolicy', policy, 'orphanDependents and deletionPropagation cannot be both set'));
  if (policy !== undefined && !POLICIES.includes(policy as string)) causes.push(notSupported('propagationPolicy', policy, [...POLICIES, 'nil']));
  const dryRun = dryRunList(given.dryRun);
  causes.push(...dryRunCauses(dryRun));
  if (causes.length) throw invalidOptions('DeleteOptions', causes);
  const options: DeleteOptions = {};
  if (policy !== undefined) options.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  else if (orphan === true) options.propagationPolicy = 'Orphan';
  const grace = given.gracePeriodSeconds ?? undefined;
  if (grace !== undefined) {
    if (!Number.isInteger(grace) || (grace as number) < 0) throw badRequest(`gracePeriodSeconds must be a non-negative integer, got ${JSON.stringify(grace)}`);
    options.gracePeriodSeconds = grace as number;
  }
  const pre = given.preconditions as DeleteOptions['preconditions'] | undefined;
  if (pre && typeof pre === 'object') options.preconditions = { uid: pre.uid, resourceVersion: pre.resourceVersion };
  return { options, dryRun: dryRun.length > 0 };
}

/**
 * A delete's options as kube-apiserver reads them: from the DeleteOptions
 * body when there is one (kubectl sends one, with `dryRun` in it), from the
 * query only when there is none; never a mix of both.
 */
export function deleteOptionsOf(req: Request, body: Record<string, unknown> | undefined): CheckedDeleteOptions {
  if (body) return checked(body);
  const query = queryOf(req);
  return checked({
    propagationPolicy: firstValue(query, 'propagationPolicy'),
    // runtime.Convert_Slice_string_To_Pointer_bool: present is set, false only for 0 or false.
    orphanDependents: query.orphanDependents === undefined ? undefined : flagValue(query, 'orphanDependents'),
    gracePeriodSeconds: queryInt(req, 'gracePeriodSeconds'),
    dryRun: queryValues(req, 'dryRun'),
  });
}

/**
 * An eviction's options: the Eviction's deleteOptions, with its query's
 * dryRun (checked by checkWriteOptions) pushed in as EvictionREST's
 * propagateDryRun does. `kubectl drain --dry-run=server` sends it in the body only.
 */
export function evictionOptionsOf(req: Request, deleteOptions: Record<string, unknown> | undefined): CheckedDeleteOptions {
  const query = queryValues(req, 'dryRun') ?? [];
  const body = dryRunList(deleteOptions?.dryRun);
  if (body.length && query.length && (body.length !== query.length || body.some((v, i) => v !== query[i]))) {
    // kube-apiserver answers this plain error as a 500.
    throw new StatusError(500, 'InternalError', `Non-matching dry-run options in request and content: [${query.join(' ')}] and [${body.join(' ')}]`);
  }
  return checked({ ...deleteOptions, dryRun: body.length ? body : query });
}
