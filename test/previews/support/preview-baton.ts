import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppStatus } from '../../../controller/state/app-status.js';
import type { StateStore } from '../../../controller/state/state-store.js';
import { describeApps, startBaton, stateOf, type BatonProcess } from '../../e2e/support/baton-process.js';
import { serveNewRepo, type GitHttpServer } from '../../support/git-http-server.js';
import { waitFor } from '../../support/wait.js';

/**
 * `baton up` following a repository served over Git HTTP (`<gitServer.url>/shop.git`),
 * as the previews' end-to-end tests drive it with webhooks: process pods, a
 * 10 minute poll (so only webhooks move it), every port chosen by the system,
 * pods stopped with baton.
 */
export interface PreviewBaton {
  /** The state dir; also holds the working clone (`work`) and the served repositories. */
  dir: string;
  /** The working clone that pushes to the served repository. */
  work: string;
  gitServer: GitHttpServer;
  /** The served repository's clone URL, as webhook payloads name it. */
  repoUrl: string;
  baton: BatonProcess;
  state: StateStore;
  kubeconfig: string;
  /** The controller's base URL (`http://127.0.0.1:PORT`). */
  api: string;
  /** The deploy-role API token. */
  token: string;
  ingressPort: number;
  /** baton's last 25 lines, for failure messages. */
  tail(): string;
  /** `GET /api/v1/previews`. */
  previews(): Promise<any[]>;
  /** Waits until `test` holds for every app's status; a timeout prints the apps and baton's last lines. */
  waitApps(what: string, test: (apps: AppStatus[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Stops baton and the Git server and deletes the state dir. */
  stop(): Promise<void>;
}

export interface PreviewBatonOptions {
  /** `mkdtemp` prefix under /tmp; keep it short (the Redis socket path must stay under 108 bytes). */
  prefix: string;
  /** Fills the working tree (a directory not yet made) before its first commit is served. */
  prepare(work: string): Promise<void>;
  /** The first commit's message. */
  message: string;
  /** Environment for `baton up` (webhook secrets, API URLs), or a function of the state dir giving it. @defaultValue {} */
  env?: NodeJS.ProcessEnv | ((dir: string) => NodeJS.ProcessEnv);
}

export async function startPreviewBaton(options: PreviewBatonOptions): Promise<PreviewBaton> {
  const dir = await mkdtemp(`/tmp/${options.prefix}`);
  const work = join(dir, 'work');
  const root = join(dir, 'served');
  await mkdir(root);
  await options.prepare(work);
  const gitServer = await serveNewRepo(work, root, options.message);
  const repoUrl = `${gitServer.url}/shop.git`;
  const baton = startBaton(
    ['up', '--default-runtime-class', 'process', '--repo', repoUrl, '--state-dir', dir, '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--interval', '10m', '--stop-pods'],
    typeof options.env === 'function' ? options.env(dir) : (options.env ?? {}),
  );
  let state: StateStore | undefined;
  const stop = async () => {
    await state?.close();
    await baton.stop();
    await gitServer.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const kubeconfig = await baton.waitFor(/kubeconfig:\s+(\S+)/);
    const api = await baton.waitFor(/API:\s+(http:\/\/\S+?)\/api\/v1/);
    const ingressPort = Number(new URL(await baton.waitFor(/ingress:\s+(http\S+)/)).port);
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
    const opened = stateOf(dir);
    state = opened;
    const tail = () => `baton up:\n${baton.output().split('\n').slice(-25).join('\n')}`;
    return {
      dir,
      work,
      gitServer,
      repoUrl,
      baton,
      state: opened,
      kubeconfig,
      api,
      token,
      ingressPort,
      tail,
      previews: async () => (await (await fetch(`${api}/api/v1/previews`, { headers: { authorization: `Bearer ${token}` } })).json()) as any[],
      waitApps: async (what, test, timeoutMs = 240_000) => {
        await waitFor(what, async () => test(await opened.listApps()), { timeoutMs, intervalMs: 250, describe: async () => `${describeApps(await opened.listApps())}\n${tail()}` });
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

const EXAMPLES = join(import.meta.dirname, '../../../examples-repo');

/** A `prepare` for startPreviewBaton: the examples repository with `batonYaml` as its baton.yaml. */
export function examplesWith(batonYaml: string): (work: string) => Promise<void> {
  return async (work) => {
    await cp(EXAMPLES, work, { recursive: true });
    await writeFile(join(work, 'baton.yaml'), batonYaml);
  };
}
