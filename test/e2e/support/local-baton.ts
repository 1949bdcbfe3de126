import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AppStatus } from '../../../controller/state/app-status.js';
import type { StateStore } from '../../../controller/state/state-store.js';
import { git } from '../../support/git-http-server.js';
import { waitFor } from '../../support/wait.js';
import { describeApps, kubectl, startBaton, stateOf, type BatonProcess } from './baton-process.js';

/**
 * `baton up` following a Git repository on disk, the way a newcomer runs it:
 * one state dir holding the repository (`<dir>/repo`), process pods, a 1 s
 * poll, every port chosen by the system, pods stopped with baton.
 */
export interface LocalBaton {
  dir: string;
  repo: string;
  baton: BatonProcess;
  state: StateStore;
  kubeconfig: string;
  /** Writes `files` (path → content) into the repository and commits them; returns the commit id. */
  commit(files: Record<string, string>, message: string): Promise<string>;
  /** Waits until `test` holds for app `name`'s status; a timeout prints every app and baton's last lines. */
  waitApp(name: string, what: string, test: (status: AppStatus) => boolean, timeoutMs?: number): Promise<AppStatus>;
  /** Every app's status and the last `lines` lines baton printed, for failure messages. */
  describe(lines?: number): Promise<string>;
  kubectl(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export interface LocalBatonOptions {
  /** The repository's first commit (path → content). */
  files: Record<string, string>;
  /** `mkdtemp` prefix under /tmp; keep it short (the Redis socket path must stay under 108 bytes). */
  prefix: string;
  /** More `baton up` flags. @defaultValue [] */
  args?: string[];
  /** The state dir's mode before baton starts (a dir made beforehand). @defaultValue 0o700 (as mkdtemp makes it) */
  stateDirMode?: number;
}

export async function startLocalBaton(options: LocalBatonOptions): Promise<LocalBaton> {
  const dir = await mkdtemp(`/tmp/${options.prefix}`);
  const repo = join(dir, 'repo');
  const write = async (files: Record<string, string>) => {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(repo, path)), { recursive: true });
      await writeFile(join(repo, path), content);
    }
  };
  await mkdir(repo, { recursive: true });
  await git(repo, 'init', '-q', '-b', 'main');
  await write(options.files);
  await git(repo, 'add', '.');
  await git(repo, 'commit', '-qm', 'first commit');
  if (options.stateDirMode !== undefined) await chmod(dir, options.stateDirMode);
  const baton = startBaton(['up', '--default-runtime-class', 'process', '--repo', repo, '--state-dir', dir, '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--interval', '1s', '--stop-pods', ...(options.args ?? [])]);
  let state: StateStore | undefined;
  try {
    const kubeconfig = await baton.waitFor(/kubeconfig:\s+(\S+)/, 180_000);
    state = stateOf(dir);
    const opened = state;
    const describe = async (lines = 30) => `${describeApps(await opened.listApps())}\nbaton up:\n${baton.output().split('\n').slice(-lines).join('\n')}`;
    return {
      dir,
      repo,
      baton,
      state,
      kubeconfig,
      async commit(files, message) {
        await write(files);
        await git(repo, 'add', '.');
        await git(repo, 'commit', '-qm', message);
        return git(repo, 'rev-parse', 'HEAD');
      },
      waitApp: async (name, what, test, timeoutMs = 180_000) =>
        waitFor(`${name} ${what}`, async () => {
          const s = await opened.getApp(name);
          return s !== undefined && test(s) && s;
        }, { timeoutMs, intervalMs: 250, describe: () => describe() }),
      describe,
      kubectl: (...args) => kubectl(kubeconfig, ...args),
      async stop() {
        await opened.close();
        await baton.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await state?.close();
    await baton.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
