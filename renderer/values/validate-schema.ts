import { createHash } from 'node:crypto';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { RenderError } from '../errors/render-error.js';
import { parseDocuments, type FieldPath } from '../yaml/parse-documents.js';
import { hasPath, type ValuesLayer } from './load-values.js';
import type { Values } from './values.js';

/** Compiled schemas by content digest: the same chart blob compiles once per process. */
const compiled = new Map<string, ValidateFunction>();
const maxCached = 256;

/** Forgets compiled schemas (benchmarks measuring a cold start). */
export function clearSchemaCache(): void {
  compiled.clear();
}

function compile(schema: Record<string, unknown>, digest: string): ValidateFunction {
  const is2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const ajv = is2020 ? new Ajv2020({ allErrors: true, strict: false }) : new Ajv({ allErrors: true, strict: false });
  const fn = ajv.compile(schema);
  if (compiled.size >= maxCached) compiled.delete(compiled.keys().next().value!);
  compiled.set(digest, fn);
  return fn;
}

function pathOf(err: ErrorObject): (string | number)[] {
  const parts: (string | number)[] = err.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (err.keyword === 'required') parts.push(String(err.params.missingProperty));
  if (err.keyword === 'additionalProperties') parts.push(String(err.params.additionalProperty));
  return parts;
}

function display(path: FieldPath): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : `${s}.${p}`), 'values');
}

/** Where a value at `path` was last set: the topmost layer holding it (or its nearest parent). */
function locate(layers: ValuesLayer[], path: FieldPath): { file: string; line: number; col: number } {
  for (let n = path.length; n >= 0; n--) {
    const prefix = path.slice(0, n);
    for (let i = layers.length - 1; i >= 0; i--) {
      const l = layers[i];
      if (hasPath(l.value, prefix) && (n > 0 || l.locate)) {
        const p = l.locate?.(prefix) ?? { line: 1, col: 1 };
        return { file: l.file, ...p };
      }
    }
  }
  return { file: layers[0]?.file ?? 'values.yaml', line: 1, col: 1 };
}

/**
 * Enforces a chart's values.schema.json (JSON Schema, draft-07 or 2020-12) on
 * the merged values. Each violation is reported at the file and line that set
 * the offending value, naming the value's path and the schema's complaint.
 */
export function validateValuesSchema(
  schemaFile: string,
  schemaText: string,
  values: Values,
  layers: ValuesLayer[],
  errors: RenderError[],
): void {
  const digest = createHash('sha256').update(schemaText).digest('hex');
  let validate = compiled.get(digest);
  if (!validate) {
    const before = errors.length;
    const docs = parseDocuments(schemaText, schemaFile, errors);
    if (errors.length > before) return;
    const schema = docs[0]?.value;
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      errors.push(RenderError.at('BAD_CHART', schemaFile, 1, 1, 'values.schema.json must hold a JSON Schema object'));
      return;
    }
    try {
      validate = compile(schema as Record<string, unknown>, digest);
    } catch (err) {
      errors.push(RenderError.at('BAD_CHART', schemaFile, 1, 1, `invalid JSON Schema: ${(err as Error).message}`));
      return;
    }
  }
  if (validate(values)) return;
  for (const err of validate.errors ?? []) {
    const path = pathOf(err);
    const where = locate(layers, path);
    const detail = err.keyword === 'required' ? 'is required' : err.keyword === 'additionalProperties' ? 'is not allowed' : (err.message ?? 'is invalid');
    const allowed = err.keyword === 'enum' ? `: ${(err.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` : '';
    errors.push(
      RenderError.at('SCHEMA_VIOLATION', where.file, where.line, where.col, `${display(path)} ${detail}${allowed} (${schemaFile})`, {
        valuePath: display(path),
        keyword: err.keyword,
      }),
    );
  }
}
