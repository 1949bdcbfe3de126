import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as fs from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import git from 'isomorphic-git';
import { DiskTree, formatObjects, renderApp, renderChart, renderManifests, type RenderResult, type ValuesSource } from '../../../../renderer/index.js';
import { CliError } from '../cli-error.js';
import { renderDeclaredApp } from './render-app-command.js';

interface RenderOptions {
  values: string[];
  set: string[];
  namespace: string;
  output: string;
  name?: string;
  chart?: string;
  repo?: string;
  app?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** baton's package root (holds charts/), found from this file in src or dist. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dir !== dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'baton') return dir;
    dir = dirname(dir);
  }
  throw new CliError('baton render: cannot find the baton package root (package.json)');
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

export function registerRender(program: Command): void {
  program
    .command('render [dir]')
    .usage('[options] DIR | --chart NAME [REPO] | --app NAME [REPO]')
    .description('render plain manifests or a chart to a YAML stream on stdout, like helm template')
    .option('-f, --values <file>', 'values file, layered in order (repeatable)', collect, [])
    .option('--set <key=value>', "set a value with Helm's syntax, e.g. image.tag=v2 (repeatable)", collect, [])
    .option('-n, --namespace <ns>', 'namespace for namespaced objects that name none', 'default')
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .option('--name <release>', 'release name templates see as Release.Name (default: the directory or chart name)')
    .option('--repo <dir>', 'repository a chart\'s Files.get/glob may also read from (as for an app)')
    .option('--chart <name>', "a chart bundled in baton's charts/; DIR (default .) is then the repository values files are read from")
    .option('--app <name>', "an app of REPO's baton.yaml (REPO default .), rendered exactly as the controller would sync it")
    .action(async (dir: string | undefined, opts: RenderOptions) => {
      if (opts.output !== 'yaml' && opts.output !== 'json') throw new CliError(`baton render: --output must be yaml or json, not "${opts.output}"`);
      if (opts.app !== undefined) {
        if (opts.chart || opts.values.length > 0 || opts.set.length > 0) throw new CliError('baton render: --app takes what baton.yaml says; leave out --chart, -f and --set');
        process.stdout.write(await renderDeclaredApp(opts.app, dir ?? '.', join(packageRoot(), 'charts'), opts.output));
        return;
      }
      const cwd = process.cwd();
      let result: RenderResult;
      // Maps a reported file back to a path the user can open from where they ran the command.
      let shown: (file: string) => string;
      if (opts.chart) {
        const chartsRoot = join(packageRoot(), 'charts');
        if (!/^[a-z0-9][-a-z0-9_.]*$/.test(opts.chart) || !isDir(join(chartsRoot, opts.chart))) {
          throw new CliError(`baton render: no bundled chart "${opts.chart}" in ${chartsRoot}`);
        }
        const repoDir = resolve(dir ?? '.');
        if (!isDir(repoDir)) throw new CliError(`baton render: ${dir} is not a directory`);
        const valuesFiles = new Set(opts.values);
        result = await renderApp({
          repo: new DiskTree(repoDir),
          chart: { tree: new DiskTree(chartsRoot), path: opts.chart },
          valuesFiles: opts.values,
          set: opts.set,
          release: { name: opts.name ?? opts.chart, namespace: opts.namespace },
        });
        shown = (f) => (valuesFiles.has(f) ? relative(cwd, join(repoDir, f)) || f : f.startsWith(`${opts.chart}/`) ? relative(cwd, join(chartsRoot, f)) : relative(cwd, join(repoDir, f)) || f);
      } else {
        if (!dir) throw new CliError('baton render: give a directory (plain manifests or a chart), or --chart NAME');
        const abs = resolve(dir);
        if (!isDir(abs)) throw new CliError(`baton render: ${dir} is not a directory`);
        // Root the tree one level up so reported paths start with the directory's name, as helm template's do.
        const root = dirname(abs);
        const tree = new DiskTree(root);
        const base = basename(abs);
        const valuesFiles: ValuesSource[] = [];
        const missing: string[] = [];
        for (const f of opts.values) {
          const content = await readFile(f).catch(() => undefined);
          if (content) valuesFiles.push({ file: f, content });
          else missing.push(`${f}:1:1: values file not found`);
        }
        if (missing.length > 0) throw new CliError(missing.join('\n'));
        const given = new Set([...opts.values, '--set']);
        shown = (f) => (given.has(f) ? f : relative(cwd, join(root, f)) || f);
        if (existsSync(join(abs, 'Chart.yaml'))) {
          if (opts.repo && !isDir(opts.repo)) throw new CliError(`baton render: --repo ${opts.repo} is not a directory`);
          result = await renderChart({
            chart: { tree, path: base },
            valuesFiles,
            set: opts.set,
            repo: opts.repo ? new DiskTree(resolve(opts.repo)) : undefined,
            release: { name: opts.name ?? base, namespace: opts.namespace },
          });
        } else {
          if (opts.values.length > 0 || opts.set.length > 0) throw new CliError(`baton render: ${dir} has no Chart.yaml; -f and --set apply to charts only`);
          const kustomization = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((n) => existsSync(join(abs, n)));
          if (kustomization) {
            // Overlays reach their bases with ../: read from the repository (--repo, else the Git work tree) around DIR.
            const repoDir = resolve(opts.repo ?? (await git.findRoot({ fs, filepath: abs }).catch(() => root)));
            const rel = relative(repoDir, abs);
            if (rel.startsWith('..')) throw new CliError(`baton render: ${dir} is not inside --repo ${opts.repo}`);
            result = await renderApp({ repo: new DiskTree(repoDir), path: rel.split(sep).join('/'), release: { name: opts.name ?? base, namespace: opts.namespace } });
            shown = (f) => (given.has(f) ? f : relative(cwd, join(repoDir, f)) || f);
          } else {
            result = await renderManifests({ tree, path: base, namespace: opts.namespace, confine: base });
          }
        }
      }
      if (result.errors.length > 0) {
        throw new CliError(result.errors.map((e) => `${shown(e.data.file)}:${e.data.line}:${e.data.col}: ${e.message}`).join('\n'));
      }
      process.stdout.write(formatObjects(result.objects, opts.output));
    });
}
