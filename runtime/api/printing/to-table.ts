import type { KubeObject } from '../../kube/object.js';
import { columnSets, defaultColumnSet, type ColumnSet } from './column-sets.js';

/** What each row's `object` carries (`includeObject` query parameter). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export interface TableOptions {
  includeObject: IncludeObject;
  /** Column definitions are omitted when false (watch events after the first). */
  withColumns: boolean;
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  /** Columns of a kind not in column-sets.ts (a custom resource's printer columns). */
  columns?: ColumnSet;
}

/** A `meta.k8s.io/v1 Table`, the body kubectl asks for to print `get` output. */
export function toTable(kind: string, objects: KubeObject[], options: TableOptions): Record<string, unknown> {
  const set = options.columns ?? columnSets[kind] ?? defaultColumnSet;
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}), ...(options.continue ? { continue: options.continue } : {}), ...(options.remainingItemCount !== undefined ? { remainingItemCount: options.remainingItemCount } : {}) },
    columnDefinitions: options.withColumns ? set.columns : [],
    rows: objects.map((obj) => ({ cells: set.cells(obj, now), object: rowObject(obj, options.includeObject) })),
  };
}
