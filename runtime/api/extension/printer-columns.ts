import type { KubeObject } from '../../kube/object.js';
import { resources, type ResourceType } from '../../resources/registry.js';
import type { ColumnDefinition, ColumnSet } from '../printing/column-sets.js';
import { ageOf } from '../printing/human-duration.js';
import { customVersionOf, type PrinterColumn } from './custom-versions.js';
import { isObjectValue } from './json-schema.js';

type Step = { field: string } | { index: number | '*' } | { filter: { path: string[]; value: string } };

/** The JSONPath subset CRDs' printer columns use: `.a.b`, `.a[0]`, `.a[*].b`, `.a[?(@.type=="Ready")].status`. */
function parsePath(jsonPath: string): Step[] {
  const steps: Step[] = [];
  const re = /\.((?:\\.|[^.[\\])+)|\[(\d+|\*)\]|\[\?\(@\.([\w.]+)\s*==\s*["']([^"']*)["']\)\]/gy;
  const path = jsonPath.replace(/^\{|\}$/g, '');
  let m: RegExpExecArray | null;
  while ((m = re.exec(path))) {
    if (m[1] !== undefined) steps.push({ field: m[1].replace(/\\(.)/g, '$1') });
    else if (m[2] !== undefined) steps.push({ index: m[2] === '*' ? '*' : Number(m[2]) });
    else steps.push({ filter: { path: m[3].split('.'), value: m[4] } });
  }
  return steps;
}

function evaluate(values: unknown[], step: Step): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if ('field' in step) {
      if (isObjectValue(v) && v[step.field] !== undefined) out.push(v[step.field]);
    } else if ('index' in step) {
      if (!Array.isArray(v)) continue;
      if (step.index === '*') out.push(...v);
      else if (v[step.index] !== undefined) out.push(v[step.index]);
    } else if (Array.isArray(v)) {
      const { path, value } = step.filter;
      out.push(...v.filter((item) => String(path.reduce<unknown>((o, k) => (isObjectValue(o) ? o[k] : undefined), item)) === value));
    }
  }
  return out;
}

/** A column's cell, as apiextensions' table convertor makes it: none when the path finds nothing, an age for dates. */
export function columnCell(obj: KubeObject, column: PrinterColumn, now: number): unknown {
  const found = parsePath(column.jsonPath).reduce(evaluate, [obj]);
  if (found.length === 0) return null;
  const value = found.length === 1 ? found[0] : found.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
  if (column.type === 'date') return typeof value === 'string' ? ageOf(value, now) : null;
  if (column.type === 'integer' || column.type === 'number') return typeof value === 'number' ? value : null;
  if (column.type === 'boolean') return typeof value === 'boolean' ? value : null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const NAME: ColumnDefinition = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 };
const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** A CRD's own table, Kubernetes' default one: its name and creation time as a timestamp. */
const CRD_COLUMNS: ColumnSet = {
  columns: [NAME, { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 }],
  cells: (obj) => [obj.metadata.name, obj.metadata.creationTimestamp],
};

/**
 * The `kubectl get` columns of a custom resource: Name, then its version's
 * additionalPrinterColumns (Age when it has none); a CRD's own columns.
 */
export function customColumnsOf(type: ResourceType): ColumnSet | undefined {
  if (type === resources.customresourcedefinitions) return CRD_COLUMNS;
  const version = customVersionOf(type);
  if (!version) return undefined;
  const columns = version.columns.length > 0 ? version.columns : [AGE];
  return {
    columns: [NAME, ...columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }))],
    cells: (obj, now) => [obj.metadata.name, ...columns.map((c) => columnCell(obj, c, now))],
  };
}
