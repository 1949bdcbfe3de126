import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { git } from '../support/git-http-server.js';

/** What the repository says about one app at one commit; a broken version never becomes ready. */
export interface AppVersion {
  version: number;
  broken: boolean;
}

export type RepoState = Record<string, AppVersion>;

export interface ChaosApp {
  name: string;
  /** Unique per run, so /proc scans and the cluster tell this run's pods from other tests'. */
  namespace: string;
  /** Fixed ClusterIP: runtimes of tests running side by side all allocate from 127.2.0.1 up. */
  clusterIP: string;
}

/** The pod: busybox httpd serving VERSION on `/`, with `/ready` missing when BROKEN is set. */
const SERVER = [
  'mkdir -p www && echo "$VERSION" > www/index.html',
  'if [ -z "$BROKEN" ]; then echo ok > www/ready; else rm -f www/ready; fi',
  'exec busybox httpd -f -p "$POD_IP:$PORT" -h www',
].join(' && ');

export const PROGRESS_DEADLINE_SECONDS = 10;
export const REPLICAS = 2;

/** The objects of one app version as committed (no namespace: baton sets the app's). */
export function appManifests(app: ChaosApp, v: AppVersion): Record<string, any>[] {
  const env = [{ name: 'VERSION', value: `${app.name}-v${v.version}` }, ...(v.broken ? [{ name: 'BROKEN', value: '1' }] : [])];
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${app.name}-settings` }, data: { version: String(v.version), broken: String(v.broken) } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app.name },
      spec: { clusterIP: app.clusterIP, selector: { app: app.name }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app.name },
      spec: {
        replicas: REPLICAS,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        selector: { matchLabels: { app: app.name } },
        template: {
          metadata: { labels: { app: app.name } },
          spec: {
            terminationGracePeriodSeconds: 3,
            containers: [
              {
                name: 'web',
                image: 'busybox',
                command: ['sh', '-c', SERVER],
                env,
                ports: [{ name: 'http', containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
              },
            ],
          },
        },
      },
    },
  ];
}

/** The objects baton should keep live for `v`: the manifests in the app's namespace. */
export function expectedObjects(app: ChaosApp, v: AppVersion): Record<string, any>[] {
  return appManifests(app, v).map((o) => ({ ...o, metadata: { ...o.metadata, namespace: app.namespace } }));
}

export function sameVersion(a: AppVersion | undefined, b: AppVersion | undefined): boolean {
  return !!a && !!b && a.version === b.version && a.broken === b.broken;
}

/**
 * The synced Git repository and a model of it: for every commit, which
 * version of each app it holds, so checks know what "healthy" and "the
 * last healthy revision" mean without asking baton.
 */
export class ChaosRepo {
  private readonly states = new Map<string, RepoState>();
  private readonly order: string[] = [];

  private constructor(
    readonly dir: string,
    readonly apps: ChaosApp[],
  ) {}

  static async create(dir: string, apps: ChaosApp[]): Promise<ChaosRepo> {
    const repo = new ChaosRepo(dir, apps);
    await mkdir(dir, { recursive: true });
    await git(dir, 'init', '-q', '-b', 'main');
    const batonYaml = {
      apps: apps.map((a) => ({ name: a.name, path: `apps/${a.name}`, namespace: a.namespace, rollout: { progressDeadlineSeconds: PROGRESS_DEADLINE_SECONDS, autoRollback: true } })),
    };
    await writeFile(join(dir, 'baton.yaml'), stringify(batonYaml));
    await repo.commit(Object.fromEntries(apps.map((a) => [a.name, { version: 1, broken: false }])), 'first release', true);
    return repo;
  }

  /** Commits made so far. */
  get length(): number {
    return this.order.length;
  }

  get head(): string {
    return this.order.at(-1)!;
  }

  get headState(): RepoState {
    return this.states.get(this.head)!;
  }

  stateAt(revision: string | null | undefined): RepoState | undefined {
    return revision ? this.states.get(revision) : undefined;
  }

  /** Writes each app's manifests for `state` and commits; returns the commit. */
  async commit(state: RepoState, message: string, addAll = false): Promise<string> {
    for (const app of this.apps) {
      const dir = join(this.dir, 'apps', app.name);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'manifests.yaml'), appManifests(app, state[app.name]).map((o) => stringify(o)).join('---\n'));
    }
    if (addAll) await git(this.dir, 'add', '.');
    await git(this.dir, 'commit', '-qam', message, '--allow-empty');
    return this.record(state);
  }

  /** `git revert HEAD`: the tree, and so every app, goes back to the parent's. */
  async revertHead(): Promise<string> {
    const parent = this.states.get(this.order.at(-2)!)!;
    await git(this.dir, 'revert', '--no-edit', 'HEAD');
    return this.record(parent);
  }

  private async record(state: RepoState): Promise<string> {
    const sha = await git(this.dir, 'rev-parse', 'HEAD');
    this.states.set(sha, structuredClone(state));
    this.order.push(sha);
    return sha;
  }
}
