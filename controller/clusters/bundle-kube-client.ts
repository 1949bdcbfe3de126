// Run by `npm run build`, after tsc: see kube-client.ts.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

/**
 * Rewrites the compiled `dist/controller/clusters/kube-client.js` as one bundle of what it exports,
 * client-node's own code inlined and tree-shaken (its dependencies stay imports): `baton up` then
 * loads the parts of client-node it runs instead of every generated API class. Returns the file written.
 * `file` (default the compiled module) may lie elsewhere, for tests: the bundle imports only packages.
 */
export async function bundleKubeClient(options: { root?: string; file?: string } = {}): Promise<{ file: string; bytes: number }> {
  const root = options.root ?? packageRoot();
  const clientNode = join(root, 'node_modules', '@kubernetes', 'client-node');
  const { dependencies = {} } = JSON.parse(await readFile(join(clientNode, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const file = options.file ?? join(root, 'dist', 'controller', 'clusters', 'kube-client.js');
  const result = await esbuild.build({
    entryPoints: [join(root, 'controller', 'clusters', 'kube-client.ts')],
    outfile: file,
    allowOverwrite: true,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    // V8 keeps a module's source for as long as it runs: client-node's, with its doc comments, was 4.3 MB of a
    // drift-checking controller's heap (a heap snapshot). Names are kept, for stack traces and error names.
    minifyWhitespace: true,
    minifySyntax: true,
    external: Object.keys(dependencies).flatMap((name) => [name, `${name}/*`]),
    metafile: true,
    logLevel: 'silent',
  });
  return { file, bytes: Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined)?.bytes ?? 0 };
}

/** The folder holding baton's package.json, above this file whether it runs from the sources or from dist/. */
function packageRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) throw new Error(`no package.json above ${import.meta.dirname}`);
    dir = dirname(dir);
  }
  return dir;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { file, bytes } = await bundleKubeClient();
  process.stdout.write(`kube-client: ${(bytes / 2 ** 20).toFixed(1)} MB in ${relative(process.cwd(), file)}\n`);
}
