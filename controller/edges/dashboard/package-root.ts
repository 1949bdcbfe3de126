import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The folder holding baton's package.json, found upwards from this file, so
 * the same code finds it from controller/edges/dashboard/ (tsx) and from
 * dist/controller/edges/dashboard/ (built).
 */
export function packageRoot(from = import.meta.dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

/** Where `npm run build` puts the dashboard's files. */
export function defaultAssetsDir(): string {
  return join(packageRoot(), 'dist', 'dashboard');
}
