import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JS module shared with eslint.config.js, no declarations
import { layerOf, MAY_IMPORT } from '../../lint/import-layers.js';

const root = join(import.meta.dirname, '../../..');
const table = MAY_IMPORT as Record<string, string[]>;
const layers = (layerOf as (path: string) => string | undefined);

/** The folders holding code directly under controller/, controller/edges/ and controller/observe/. */
function controllerFolders(): string[] {
  const list = (dir: string) => readdirSync(join(root, dir)).filter((n) => statSync(join(root, dir, n)).isDirectory()).map((n) => `${dir}/${n}`);
  return list('controller').flatMap((f) => (f.endsWith('/edges') || f.endsWith('/observe') ? list(f) : [f]));
}

describe('the dependency layout', () => {
  it('gives every controller folder a row, and no row without a folder', () => {
    const folders = controllerFolders();
    const rows = Object.keys(table).filter((k) => k.startsWith('controller/') && !k.endsWith('/web'));
    expect(folders.sort()).toEqual(rows.sort());
  });

  it.each(Object.keys(table).filter((k) => k.startsWith('controller/') && !k.endsWith('/web')))('%s/README.md states its row', (folder) => {
    const readme = join(root, folder, 'README.md');
    expect(existsSync(readme), `${folder} has no README.md`).toBe(true);
    const text = readFileSync(readme, 'utf8');
    expect(text).toMatch(/^Owns: \S/m);
    // The line may wrap; it ends at its first full stop.
    const line = /^May import: ([\s\S]*?)\.(\s|$)/m.exec(text)?.[1];
    expect(line, `${folder}/README.md has no "May import:" line`).toBeDefined();
    const named = line === 'nothing outside itself' ? [] : [...line!.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    expect(named.sort()).toEqual([...table[folder]].sort());
  });

  it('places paths in their layers', () => {
    expect(layers('controller/edges/dashboard/web/app.tsx')).toBe('controller/edges/dashboard/web');
    expect(layers('controller/plan/diff/diff-objects.ts')).toBe('controller/plan');
    expect(layers('runtime/kube/object.ts')).toBe('runtime/kube');
    expect(layers('runtime/index.ts')).toBe('runtime/index');
    expect(layers('runtime/api/server.ts')).toBe('runtime');
    expect(layers('renderer/index.ts')).toBe('renderer/index');
    expect(layers('test/unit/x.test.ts')).toBeUndefined();
  });

  it('is enforced by npm run lint: a forbidden import, a runtime internal and a barrel are reported', async () => {
    const eslint = new ESLint({ cwd: root });
    const lint = async (file: string, code: string) => (await eslint.lintText(code, { filePath: join(root, file) }))[0].messages.map((m) => m.message);
    expect(await lint('controller/health/x.ts', "import { applyObjects } from '../apply/apply-objects.js';\nvoid applyObjects;\n")).toEqual([
      expect.stringContaining('controller/health may not import controller/apply'),
    ]);
    expect(await lint('controller/observe/metrics/x.ts', "import type { Cluster } from '../../../runtime/objects/cluster.js';\nexport type C = Cluster;\n")).toEqual([
      expect.stringContaining('may not import runtime'),
    ]);
    expect(await lint('runtime/kube/x.ts', "import { startRuntime } from '../runtime-server.js';\nvoid startRuntime;\n")).toEqual([expect.stringContaining('runtime/kube may not import runtime')]);
    expect(await lint('controller/state/index.ts', 'export {};\n')).toEqual([expect.stringContaining('no barrels')]);
    expect(await lint('controller/apply/x.ts', "import { waitForHealthy } from '../health/wait-for-healthy.js';\nvoid waitForHealthy;\n")).toEqual([]);
  });
});
