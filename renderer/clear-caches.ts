import { clearValuesCache } from './values/load-values.js';
import { clearSchemaCache } from './values/validate-schema.js';

/** Drops the process-wide caches of parsed values files and compiled schemas (templates: see CompileCache). */
export function clearParseCaches(): void {
  clearValuesCache();
  clearSchemaCache();
}
