import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** baton's package root (holds charts/ and examples-repo/), found from this file in the sources or in dist/. */
export function packageRoot(): string {
  if (root) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'baton') return (root = dir);
  }
  throw new Error('cannot find the baton package root (a package.json named "baton" above this file)');
}

/** The charts bundled with baton (`chart: web-service` in baton.yaml). */
export function bundledChartsDir(): string {
  return join(packageRoot(), 'charts');
}

/** The 15-service shop `baton up` syncs when given no --repo. */
export function examplesRepoDir(): string {
  return join(packageRoot(), 'examples-repo');
}
