import { stringify } from 'yaml';
import type { RenderedObject } from './objects/finalize-objects.js';

export type OutputFormat = 'yaml' | 'json';

/**
 * Prints objects like `helm template`: a YAML stream, each document preceded
 * by `---` and `# Source: FILE`; or, as JSON, one `v1` List. Byte-identical
 * for identical input. `sourceName` rewrites source paths for display.
 */
export function formatObjects(objects: RenderedObject[], format: OutputFormat = 'yaml', sourceName: (file: string) => string = (f) => f): string {
  if (format === 'json') {
    return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects.map((o) => o.object) }, null, 2)}\n`;
  }
  return objects.map((o) => `---\n# Source: ${sourceName(o.source.file)}\n${stringify(o.object, { lineWidth: 0 })}`).join('');
}
