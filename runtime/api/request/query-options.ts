import type { Request } from 'express';
import { badRequest } from '../../errors/status-error.js';

const PARSED = Symbol('parsed query');

/**
 * The request's query parameters, parsed once: express 5's `req.query` parses the query string again on every
 * read, and a write reads a handful of parameters (fieldManager, force, dryRun, fieldValidation…).
 */
export function queryOf(req: Request): Record<string, unknown> {
  const holder = req as Request & { [PARSED]?: Record<string, unknown> };
  return (holder[PARSED] ??= req.query as Record<string, unknown>);
}

/**
 * A parameter's value as kube-apiserver decodes a string (runtime.Convert_Slice_string_To_string): a repeated
 * key is read by its first value. The authorizer reads the parsed query through this too, so it sees what the
 * handler serves.
 */
export function firstValue(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
  return value === undefined ? undefined : String(value);
}

/** runtime.Convert_Slice_string_To_bool: false when absent, "0" or "false" (any case); any other value, even empty, is true. */
export function flagValue(query: Record<string, unknown>, name: string): boolean {
  const value = firstValue(query, name);
  return value !== undefined && value !== '0' && value.toLowerCase() !== 'false';
}

export function queryString(req: Request, name: string): string | undefined {
  return firstValue(queryOf(req), name);
}

export function queryBool(req: Request, name: string): boolean {
  return flagValue(queryOf(req), name);
}

export function queryInt(req: Request, name: string): number | undefined {
  const value = queryString(req, name);
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw badRequest(`invalid value for query parameter ${name}: ${JSON.stringify(value)} is not an integer`);
  return n;
}

/**
 * `dryRun=All` asks for the result without writing it (dryrun.IsDryRun: any value). The values are
 * checked at the edge, before the body is read, by checkWriteOptions.
 */
export function isDryRun(req: Request): boolean {
  const given = queryOf(req).dryRun;
  return Array.isArray(given) ? given.length > 0 : given !== undefined;
}
