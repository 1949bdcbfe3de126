import { StatusError } from '../errors/status-error.js';
import type { KubeObject, ManagedFieldsEntry } from '../kube/object.js';
import { FieldSet, describePath, type FieldPath } from './field-set.js';
import { compareObjects } from './field-walk.js';
import { isObject, type JsonObject } from './json-value.js';

/** One entry of `metadata.managedFields` with its fields decoded. */
export interface Manager {
  entry: Omit<ManagedFieldsEntry, 'fieldsV1' | 'fieldsType'>;
  set: FieldSet;
}

/**
 * Who a manager is: name, operation and subresource, plus the API version for
 * updaters (an applier stays the same manager whatever version it applies with).
 */
export function managerId(entry: Pick<ManagedFieldsEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify([entry.manager, entry.operation, entry.subresource ?? '', entry.operation === 'Apply' ? '' : entry.apiVersion]);
}

export function decodeManagers(entries: ManagedFieldsEntry[] | undefined): Manager[] {
  return (entries ?? [])
    .filter((e) => isObject(e))
    .map(({ fieldsV1, fieldsType: _, ...entry }) => ({ entry, set: FieldSet.fromFieldsV1(fieldsV1) }));
}

export function encodeManagers(managers: Manager[]): ManagedFieldsEntry[] {
  return managers
    .filter((m) => m.set.size > 0)
    .map(({ entry: { manager, operation, apiVersion, time, subresource }, set }) => ({
      manager,
      operation,
      apiVersion,
      ...(time ? { time } : {}),
      fieldsType: 'FieldsV1' as const,
      fieldsV1: set.toFieldsV1(),
      ...(subresource ? { subresource } : {}),
    }));
}

let second = NaN;
let secondText = '';

/** Kubernetes records managedFields times to the second. */
export function timestamp(now?: string): string {
  if (now !== undefined) return now.replace(/\.\d+Z$/, 'Z');
  // Every write asks; the text changes once a second.
  const current = Math.floor(Date.now() / 1000);
  if (current !== second) {
    second = current;
    secondText = new Date(current * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  }
  return secondText;
}

// Server-set identity and bookkeeping fields are nobody's: Kubernetes strips them before tracking.
const UNTRACKED_META = ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'generation', 'managedFields',
  'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** The part of an object whose fields managers own. */
export function trackedView(obj: KubeObject | JsonObject | undefined): JsonObject | undefined {
  if (!obj) return undefined;
  const { apiVersion: _a, kind: _k, metadata, ...rest } = obj as JsonObject;
  const meta = { ...((metadata as JsonObject | undefined) ?? {}) };
  for (const key of UNTRACKED_META) delete meta[key];
  return Object.keys(meta).length > 0 ? { metadata: meta, ...rest } : rest;
}

/**
 * The bookkeeping every write does (structured-merge-diff's `update`): fields
 * the write added or changed that other managers own are conflicts; unless
 * forced they fail the write, when forced they leave their old owners. Fields
 * the write removed leave every other owner.
 */
export function settleOwnership(
  kind: string,
  managers: Manager[],
  writer: string,
  before: JsonObject | undefined,
  after: JsonObject,
  force: boolean,
): ReturnType<typeof compareObjects> {
  const diff = compareObjects(kind, before, after);
  const touched = diff.added.union(diff.modified);
  const conflicts: { manager: Manager; path: FieldPath }[] = [];
  for (const m of managers) {
    if (managerId(m.entry) === writer) continue;
    for (const path of m.set.intersection(touched).paths()) conflicts.push({ manager: m, path });
  }
  if (conflicts.length > 0 && !force) throw applyConflict(conflicts);
  for (const m of managers) {
    if (managerId(m.entry) === writer) continue;
    m.set = m.set.difference(touched).difference(diff.removed);
  }
  return diff;
}

function describeManager(entry: Manager['entry']): string {
  let text = JSON.stringify(entry.manager);
  if (entry.subresource) text += ` with subresource ${JSON.stringify(entry.subresource)}`;
  if (entry.operation === 'Update') text += ` using ${entry.apiVersion}`;
  return text;
}

/** The 409 Kubernetes answers for apply conflicts, worded as it words them. */
export function applyConflict(conflicts: { manager: Manager; path: FieldPath }[]): StatusError {
  const sorted = [...conflicts].sort((a, b) => {
    const ma = describeManager(a.manager.entry);
    const mb = describeManager(b.manager.entry);
    if (ma !== mb) return ma < mb ? -1 : 1;
    return describePath(a.path) < describePath(b.path) ? -1 : 1;
  });
  const causes = sorted.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c.manager.entry)}`,
    field: describePath(c.path),
  }));
  let message: string;
  if (sorted.length === 1) {
    message = `Apply failed with 1 conflict: ${causes[0].message}: ${causes[0].field}`;
  } else {
    const lines: string[] = [];
    let current = '';
    for (const c of sorted) {
      const who = describeManager(c.manager.entry);
      if (who !== current) lines.push(`conflicts with ${who}:`);
      current = who;
      lines.push(`- ${describePath(c.path)}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}
