// Plans the 15 apps of examples-repo from a real Git repository (controller/source): first with no
// previous keys (every app rendered), then the same commit again (every app skipped by its inputs
// key), then a commit that edits one service's code (only that app rendered).
// Run: npx tsx bench/plan.ts [rounds]
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBatonYaml } from '../controller/apps/parse-baton-yaml.js';
import { planApp, type AppPlan } from '../controller/plan/plan-app.js';
import { RepositorySource } from '../controller/source/repository.js';
import { DiskTree } from '../renderer/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.argv[2] ?? 5);
const dir = await mkdtemp(join(tmpdir(), 'baton-bench-plan-'));
try {
  const repoDir = join(dir, 'repo');
  await cp(join(root, 'examples-repo'), repoDir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', ...args], { cwd: repoDir, stdio: 'pipe' }).toString().trim();
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'shop');
  const source = new RepositorySource({ id: 'bench', url: repoDir, intervalSeconds: 30 }, { stateDir: join(dir, 'state') });
  const chartsTree = new DiskTree(join(root, 'charts'));

  const planAll = async (commit: string, previous: Map<string, AppPlan>) => {
    const text = (await source.tree(commit).read('baton.yaml'))!.toString('utf8');
    const { apps } = parseBatonYaml(text, 'baton.yaml', 'bench');
    const out = new Map<string, AppPlan>();
    const start = process.hrtime.bigint();
    for (const app of apps) {
      const prev = previous.get(app.name);
      out.set(app.name, await planApp({ app, repo: source, commit, chartsTree, previous: prev && { inputsKey: prev.inputsKey } }));
    }
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const rendered = [...out.values()].filter((p) => p.action !== 'skip').length;
    return { out, ms, rendered };
  };
  const report = (label: string, r: { ms: number; rendered: number }) => console.log(`${label.padEnd(44)} ${r.ms.toFixed(1).padStart(8)} ms   ${r.rendered} of 15 rendered`);

  let commit = await source.fetch();
  const first = await planAll(commit, new Map());
  report('cold: no previous keys', first);
  let previous = first.out;
  for (let i = 1; i <= rounds; i++) {
    const again = await planAll(commit, previous);
    report(`same commit again (round ${i})`, again);
    await appendFile(join(repoDir, 'services/cart/routes.mjs'), `\n// edit ${i}\n`);
    await writeFile(join(repoDir, 'README.md'), `docs edit ${i}\n`);
    git('commit', '-q', '-am', `edit ${i}`);
    commit = await source.fetch();
    const edited = await planAll(commit, again.out);
    report(`services/cart/routes.mjs edited (round ${i})`, edited);
    previous = edited.out;
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
