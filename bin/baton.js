#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node
// The environment on the line above is controller/edges/cli/node-process-env.ts's (test/dockerfile checks they agree).
// The CLI is compiled to dist/ by `npm run build` (run by `prepare` on npm ci/install).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/controller/edges/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('baton: dist/ is missing; run `npm run build` (npm ci does it for you)');
  process.exit(1);
}
await import(entry.href);
