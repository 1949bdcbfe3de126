import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { defaultAssetsDir, packageRoot } from './package-root.js';

export interface BuildDashboardOptions {
  /** Where the files go; emptied first. @defaultValue `<package root>/dist/dashboard` */
  outDir?: string;
  /** @defaultValue true */
  minify?: boolean;
}

/**
 * Bundles the browser sources (controller/edges/dashboard/web, Preact) into one
 * script and one stylesheet with content-hashed names, and writes the
 * index.html that loads them: nothing is fetched from elsewhere at run time.
 * Returns the files written, relative to `outDir`.
 */
export async function buildDashboard(options: BuildDashboardOptions = {}): Promise<string[]> {
  const outDir = options.outDir ?? defaultAssetsDir();
  const web = join(packageRoot(), 'controller', 'edges', 'dashboard', 'web');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: [join(web, 'main.tsx')],
    outdir: outDir,
    entryNames: 'app-[hash]',
    bundle: true,
    format: 'esm',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: options.minify ?? true,
    sourcemap: 'linked',
    legalComments: 'linked',
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = Object.keys(result.metafile.outputs).map((f) => basename(f));
  const script = outputs.find((f) => f.endsWith('.js'));
  const style = outputs.find((f) => f.endsWith('.css'));
  if (!script || !style) throw new Error(`esbuild wrote no script or stylesheet: ${outputs.join(', ')}`);
  const template = await readFile(join(web, 'index.html'), 'utf8');
  await writeFile(join(outDir, 'index.html'), template.replace('%STYLE%', style).replace('%SCRIPT%', script));
  return [...outputs, 'index.html'].sort();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outDir = defaultAssetsDir();
  const files = await buildDashboard({ outDir });
  process.stdout.write(`dashboard: ${files.length} files in ${relative(process.cwd(), outDir) || '.'}\n`);
}
