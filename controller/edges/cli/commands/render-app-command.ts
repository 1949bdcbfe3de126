import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import git from 'isomorphic-git';
import * as fs from 'node:fs';
import { parseBatonYaml } from '../../../apps/parse-baton-yaml.js';
import { planApp } from '../../../plan/plan-app.js';
import { repoId } from '../../../source/normalize-url.js';
import { DiskTree, formatObjects, type OutputFormat } from '../../../../renderer/index.js';
import { CliError } from '../cli-error.js';

/**
 * `baton render --app NAME [REPO]`: one app of REPO's baton.yaml, rendered
 * through the controller's own planner (controller/plan/plan-app.ts), so the
 * output is what a sync would apply, baton's labels included, like
 * `argocd app manifests`. Files are read as they are on disk, so a change can
 * be checked before it is committed; the revision marked is HEAD's commit.
 */
export async function renderDeclaredApp(name: string, repoDir: string, chartsRoot: string, output: OutputFormat): Promise<string> {
  const dir = resolve(repoDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`baton render: ${repoDir} is not a directory`);
  const text = await readFile(join(dir, 'baton.yaml'), 'utf8').catch(() => undefined);
  if (text === undefined) throw new CliError(`baton render: no baton.yaml in ${repoDir}; --app renders an app declared there`);
  const { apps, errors } = parseBatonYaml(text, 'baton.yaml', repoId(dir));
  if (errors.length > 0) throw new CliError(errors.map((e) => e.format()).join('\n'));
  const app = apps.find((a) => a.name === name);
  if (!app) throw new CliError(`baton render: no app "${name}" in ${join(repoDir, 'baton.yaml')} (there are: ${apps.map((a) => a.name).join(', ') || 'none'})`);
  const commit = await git
    .findRoot({ fs, filepath: dir })
    .then((root) => git.resolveRef({ fs, dir: root, ref: 'HEAD' }))
    .catch(() => 'working-tree');
  const tree = new DiskTree(dir);
  const plan = await planApp({
    app,
    repo: { tree: () => tree, treeOid: async () => undefined },
    commit,
    chartsTree: new DiskTree(chartsRoot),
  });
  if (plan.action === 'degraded') throw new CliError(plan.errors.join('\n'));
  if (plan.action === 'skip') throw new CliError('baton render: nothing rendered'); // no previous plan is given, so never
  return formatObjects(plan.objects, output);
}
