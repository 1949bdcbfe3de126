import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBatonYaml } from '../../../../controller/apps/parse-baton-yaml.js';
import { orderApps } from '../../../../controller/plan/order-apps.js';
import { planApp, type AppPlan } from '../../../../controller/plan/plan-app.js';
import { RepositorySource } from '../../../../controller/source/repository.js';
import { DiskTree } from '../../../../renderer/index.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const chartsTree = new DiskTree(join(root, 'charts'));

/** The planner against the example shop in a real Git repository, read through controller/source. */
describe('planApp on a Git repository', () => {
  let dir: string;
  let repoDir: string;
  let source: RepositorySource;
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', ...args], { cwd: repoDir, stdio: 'pipe' }).toString().trim();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'baton-plan-git-'));
    repoDir = join(dir, 'repo');
    await cp(join(root, 'examples-repo'), repoDir, { recursive: true });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'shop');
    source = new RepositorySource({ id: 'shop', url: repoDir, intervalSeconds: 30 }, { stateDir: join(dir, 'state') });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function planAll(commit: string, previous = new Map<string, AppPlan>()) {
    const { apps, errors } = parseBatonYaml((await source.tree(commit).read('baton.yaml'))!.toString('utf8'), 'baton.yaml', 'shop');
    expect(errors).toEqual([]);
    const plans = new Map<string, AppPlan>();
    for (const app of orderApps(apps)) plans.set(app.name, await planApp({ app, repo: source, commit, chartsTree, previous: { inputsKey: previous.get(app.name)?.inputsKey } }));
    return plans;
  }

  it('renders all 15 apps, skips them all at the next commit, and re-renders only the one whose code changed', async () => {
    const c1 = await source.fetch();
    const first = await planAll(c1);
    expect([...first.values()].map((p) => p.action)).toEqual(Array(15).fill('render'));

    await writeFile(join(repoDir, 'README.md'), 'docs only\n');
    git('commit', '-q', '-am', 'docs');
    const c2 = await source.fetch();
    const second = await planAll(c2, first);
    expect([...second.values()].filter((p) => p.action !== 'skip')).toEqual([]);

    await writeFile(join(repoDir, 'services/cart/routes.mjs'), '// cart v2\nexport default {};\n');
    git('commit', '-q', '-am', 'cart v2');
    const c3 = await source.fetch();
    const third = await planAll(c3, second);
    expect([...third].filter(([, p]) => p.action !== 'skip').map(([name]) => name)).toEqual(['cart']);
  });
});
