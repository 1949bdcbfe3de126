import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmod, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import express from 'express';
import { appPodLogs } from '../../api/app-pod-logs.js';
import { appResources } from '../../api/app-resources.js';
import { commitLookup } from '../../api/commit-lookup.js';
import { createControllerApi } from '../../api/create-controller-api.js';
import { TokenStore } from '../../api/token-store.js';
import { dashboardRouter } from '../../dashboard/dashboard-router.js';
import { clusterTargets } from '../../../clusters/cluster-target.js';
import { createBatonMetrics, type BatonMetrics } from '../../../observe/metrics/baton-metrics.js';
import { metricsHandler } from '../../../observe/metrics/metrics-handler.js';
import { observeApps, observeQueue } from '../../../observe/metrics/observe-state.js';
import { observeRuntime } from '../../../observe/metrics/observe-runtime.js';
import { observeSourcePoller } from '../../../observe/metrics/observe-source-poller.js';
import { observeSyncWorker } from '../../../observe/metrics/observe-sync-worker.js';
import { webhookMetrics } from '../../../observe/metrics/webhook-metrics.js';
import { AppController } from '../../../plan/app-controller.js';
import type { RepositorySpec } from '../../../apps/app-spec.js';
import { leaseRedis } from '../../../redis/shared-redis.js';
import { openRedis, type OpenedRedis } from '../../../redis/open-redis.js';
import { isLocalUrl, repoId } from '../../../source/normalize-url.js';
import { createWebhookRouter } from '../../webhooks/create-webhook-router.js';
import { PushRefresher } from '../../webhooks/push-refresher.js';
import { queueBoardRouter } from '../../queue-board/queue-board-router.js';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import { createLogger } from '../../../observe/logging/create-logger.js';
import { knownSecrets } from '../../../censor/known-secrets.js';
import type { LogLineContext } from '../../../apps/app-log.js';
import { lineLogger } from '../../../observe/logging/line-logger.js';
import { logSyncWorker } from '../../../observe/logging/log-sync-worker.js';
import { examplesRepoDir } from '../../../apps/bundled-paths.js';
import { seedRepository } from '../../../sync/seed-repository.js';
import { startSyncWorker, type RunningSyncWorker } from '../../../sync/start-sync-worker.js';
import { StateStore } from '../../../state/state-store.js';
import { startRuntime, type RunningRuntime } from '../../../../runtime/index.js';
import { CliError } from '../cli-error.js';
import { ingressClassOption, parseIngressClasses } from './ingress-class-flag.js';
import { addNodeFlags, nodeOptions, type NodeFlags } from './node-flags.js';
import { parseBoolean, parseCount, parseInterval, parsePort, parsePullRequestsFlag } from './up-flags.js';
import { startUpPreviews, type UpPreviews } from './up-previews.js';

interface UpFlags extends NodeFlags {
  repo?: string;
  branch?: string;
  stateDir: string;
  port: string;
  runtimePort: string;
  ingressPort: string;
  ingressClass: string[];
  interval: string;
  previewTtl: string;
  maxPreviews: string;
  pullRequests?: string;
  pullRequestInterval: string;
  stopPods?: boolean;
  worker: boolean;
  /** false with --no-runtime: the runtime runs apart (`baton runtime --state-dir <same dir>`). */
  runtime: boolean;
  readersSeeLogs: string;
  rotateSecretsKey?: boolean;
}

const HOST = '127.0.0.1';

export function registerUp(program: Command): void {
  addNodeFlags(program
    .command('up'))
    .description('run everything: Redis, the built-in runtime, the controller and a worker, syncing a Git repository')
    .option('--repo <path|url>', 'repository to sync (default: a Git copy of examples-repo/ in the state dir)')
    .option('--branch <name>', "branch to follow (default: the repository's HEAD)")
    .option('--state-dir <dir>', 'where everything baton keeps lives', '.baton')
    .option('--port <port>', 'controller REST API and dashboard (0: any free port)', '7070')
    .option('--runtime-port <port>', 'Kubernetes API of the built-in runtime (0: any free port)', '7071')
    .option('--ingress-port <port>', 'ingress (host-based HTTP routing)', '7080')
    .addOption(ingressClassOption())
    .option('--interval <duration>', 'how often the repository is checked for new commits', '30s')
    .option('--preview-ttl <duration>', 'remove a pull request preview after this long without an event for its request', '7d')
    .option('--max-previews <n>', 'most pull request previews at once; opening one more removes the longest idle', '10')
    .option('--pull-requests <provider:path>', "also find open pull requests by polling the provider's API, e.g. github:acme/shop (token in BATON_GITHUB_TOKEN / BATON_GITLAB_TOKEN)")
    .option('--pull-request-interval <duration>', 'with --pull-requests: how often the API is asked', '30s')
    .option('--stop-pods', 'terminate every pod on Ctrl-C (by default pods keep running and the next `baton up` re-adopts them)')
    .option('--no-worker', 'run no sync worker in this process (start `baton worker` processes instead)')
    .option('--no-runtime', 'start no runtime: use the one whose kubeconfig is <state-dir>/kubeconfig (`baton runtime --state-dir <same dir>`)')
    .option('--readers-see-logs <bool>', 'whether the read-only API token may read pod logs (always censored); false answers it 403', 'true')
    .option('--rotate-secrets-key', 'before starting, seal the Secret values of the manifests kept for rollbacks under a new <state-dir>/secrets-key and drop the old key')
    .action(async (flags: UpFlags) => {
      await up(flags);
    });
}

async function up(flags: UpFlags): Promise<void> {
  const port = parsePort('--port', flags.port);
  const runtimePort = parsePort('--runtime-port', flags.runtimePort);
  const ingressPort = parsePort('--ingress-port', flags.ingressPort);
  const ingressClasses = parseIngressClasses('up', flags.ingressClass);
  const intervalSeconds = parseInterval('--interval', flags.interval);
  const previewTtlSeconds = parseInterval('--preview-ttl', flags.previewTtl);
  const maxPreviews = parseCount('--max-previews', flags.maxPreviews);
  const pullRequests = flags.pullRequests === undefined ? undefined : parsePullRequestsFlag(flags.pullRequests);
  const pullRequestSeconds = parseInterval('--pull-request-interval', flags.pullRequestInterval);
  const readersSeeLogs = parseBoolean('--readers-see-logs', flags.readersSeeLogs);
  const stateDir = resolve(flags.stateDir);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  // Owner-only whatever the umask, even when the directory was made beforehand: it holds tokens, keys, logs and Redis' data.
  await chmod(stateDir, 0o700);

  const stack: Array<{ what: string; stop: () => Promise<unknown> }> = [];
  let stopping: Promise<void> | undefined;
  const shutdown = (why: string): Promise<void> =>
    (stopping ??= (async () => {
      say(`${why}: stopping${flags.stopPods ? ' (and stopping pods)' : '; pods keep running and the next `baton up` re-adopts them'}`);
      for (const { what, stop } of stack.reverse()) {
        await stop().catch((err: unknown) => process.stderr.write(`baton up: stopping ${what} failed: ${(err as Error).message}\n`));
      }
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`baton up: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    void shutdown(signal).then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const redis = await startRedis(stateDir);
    stack.push({ what: 'Redis', stop: () => redis.close() });
    if (flags.rotateSecretsKey) await rotateSecretsKey(redis.url, stateDir);

    const metrics = createBatonMetrics();
    // --no-runtime: an external runtime is reached through its kubeconfig only; its metrics need the in-process store.
    const runtime = flags.runtime ? await startBuiltInRuntime(stateDir, runtimePort, { ingressPort, ingressClasses }, nodeOptions('up', flags)) : undefined;
    // The runtime's admin token (made by it, or by a `baton runtime` apart) is censored wherever a pod prints it.
    knownSecrets.addFromStateDir(stateDir);
    if (runtime) {
      for (const warning of runtime.warnings) say(warning);
      stack.push({ what: 'the runtime', stop: () => runtime.close({ stopPods: flags.stopPods ?? false }) });
      const stopRuntimeMetrics = await observeRuntime(metrics, { cluster: runtime.cluster, proxy: runtime.proxy });
      stack.push({ what: 'runtime metrics', stop: async () => stopRuntimeMetrics() });
    }

    const repository = await repositorySpec(flags, stateDir, intervalSeconds);
    const controller = new AppController({
      stateDir,
      redisUrl: redis.url,
      repositories: [repository],
      driftCheckMs: Math.max(5_000, intervalSeconds * 1000),
      log: say,
    });
    stack.push({ what: 'the controller', stop: () => controller.close() });
    observeSourcePoller(metrics, controller.poller);
    observeQueue(metrics, controller.queue);
    observeApps(metrics, () => controller.state.listApps());
    let dashboardUrl = '';
    const previews = await startUpPreviews({
      redisUrl: redis.url,
      controller,
      clusters: clusterTargets({ stateDir }),
      ingressUrl: runtime?.ingressUrl ?? `http://${HOST}:${ingressPort}`,
      dashboardUrl: () => dashboardUrl,
      ttlMs: previewTtlSeconds * 1000,
      maxPreviews,
      ...(pullRequests ? { pullRequests: { ...pullRequests, repository: repository.id, repoUrl: repository.url, intervalMs: pullRequestSeconds * 1000 } } : {}),
      log: say,
    });
    stack.push({ what: 'previews', stop: () => previews.close() });

    let worker: RunningSyncWorker | undefined;
    if (flags.worker) {
      worker = await startSyncWorker({ stateDir, redisUrl: redis.url, sharedSource: (id) => controller.poller.repository(id), log: say });
      // A running sync gets a few seconds to finish; after that it is abandoned and the next start recovers it.
      stack.push({ what: 'the worker', stop: () => closeWithin(worker!, 5_000) });
      observeSyncWorker(metrics, worker.worker);
      logSyncWorker(logger(), worker.worker);
    }

    // Webhook deduplication is plain SET NX / DEL: it rides on the command connection the controller's parts share.
    const hookRedis = leaseRedis(redis.url);
    stack.push({ what: 'the webhooks Redis client', stop: () => hookRedis.release() });
    const server = await startControllerHttp(port, controller, await TokenStore.loadOrCreate(stateDir), hookRedis.redis, metrics, stateDir, previews, readersSeeLogs);
    stack.push({ what: 'the API server', stop: () => closeServer(server) });
    await controller.start();

    const api = `http://${HOST}:${(server.address() as AddressInfo).port}`;
    dashboardUrl = api;
    process.stdout.write(
      [
        'baton is up',
        `  API:               ${api}/api/v1  (token: ${join(stateDir, 'api-token')}, read-only: ${join(stateDir, 'api-token-readonly')})`,
        `  runtime API:       ${runtime?.url ?? 'external (`baton runtime`)'}`,
        `  kubeconfig:        ${runtime?.kubeconfigPath ?? join(stateDir, 'kubeconfig')}`,
        `                     export KUBECONFIG=${runtime?.kubeconfigPath ?? join(stateDir, 'kubeconfig')}`,
        `  repository:        ${repository.url}${isLocalUrl(repository.url) ? '  (commit here and watch the deploy)' : ''}`,
        `  redis:             ${redis.owned ? redis.url : 'REDIS_URL'}`,
        `  ingress:           ${runtime?.ingressUrl ?? 'off'}  (*.localhost names, e.g. http://shop.localhost:${runtime?.ingressUrl ? new URL(runtime.ingressUrl).port : ingressPort})`,
        `  workers:           ${worker ? 'one in this process' : 'none here; run `baton worker`'}`,
        `  queue view:        ${api}/admin/queues?token=…  (the deploy token)`,
        'Ctrl-C stops baton.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    await shutdown('start failed');
    throw toCliError(err);
  }
}

let upLogger: Logger | undefined;
/** baton up's log (pino: JSON lines, pretty on a terminal, secrets censored); made on first use, so other commands never build it. */
function logger(): Logger {
  return (upLogger ??= createLogger({ name: 'baton' }));
}

function say(line: string, context?: LogLineContext): void {
  lineLogger(logger())(line, context);
}

async function rotateSecretsKey(redisUrl: string, stateDir: string): Promise<void> {
  const store = new StateStore({ redisUrl, secretsKeyDir: stateDir });
  try {
    const count = await store.rotateSecretsKey();
    say(`sealed the Secrets of ${count} kept revision${count === 1 ? '' : 's'} under a new ${join(stateDir, 'secrets-key')}; the old key is gone`);
  } finally {
    await store.close();
  }
}

async function startRedis(stateDir: string): Promise<OpenedRedis> {
  return openRedis({
    stateDir,
    redisUrl: process.env.REDIS_URL || undefined,
    onRestart: ({ exit, error }) =>
      say(error ? `redis-server exited (${exit.signal ?? exit.code}) and could not be restarted: ${error.message}` : `redis-server exited (${exit.signal ?? exit.code}); restarted it`),
  });
}

/** The runtime with its controllers, kubelet (oci and process drivers) and service proxy. */
async function startBuiltInRuntime(
  stateDir: string,
  port: number,
  { ingressPort, ingressClasses }: { ingressPort: number; ingressClasses: string[] },
  node: ReturnType<typeof nodeOptions>,
): Promise<RunningRuntime> {
  try {
    // The runtime's parts write through baton's log (human lines on a terminal), warnings and up unless BATON_LOG_LEVEL says otherwise.
    const runtimeLogger = logger().child({}, { level: process.env.BATON_LOG_LEVEL || 'warn' });
    return await startRuntime({ stateDir, port, host: HOST, ingressPort, ingressClasses, node, logger: runtimeLogger });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError(`baton up: ${HOST}:${port} or ${HOST}:${ingressPort} is already in use; pick another --runtime-port or --ingress-port`);
    }
    throw err;
  }
}

/** The repository to follow; with no --repo, a Git copy of examples-repo/ in the state dir, made on first start. */
async function repositorySpec(flags: UpFlags, stateDir: string, intervalSeconds: number): Promise<RepositorySpec> {
  let url = flags.repo;
  if (url === undefined) {
    url = join(stateDir, 'repo');
    if (await seedRepository(examplesRepoDir(), url)) say(`copied examples-repo/ into a new Git repository at ${url}`);
  } else if (isLocalUrl(url) && !url.startsWith('file://')) {
    url = resolve(url);
  }
  return { id: repoId(url), url, ...(flags.branch ? { branch: flags.branch } : {}), intervalSeconds };
}

/**
 * The HTTP server on --port: webhooks (a verified push checks the repository at once, as a poll
 * would) and the REST API (controller/edges/api) over the controller's state and queue.
 * and /metrics (prom-client), and the web dashboard at /.
 */
async function startControllerHttp(
  port: number,
  controller: AppController,
  tokens: TokenStore,
  hookRedis: Redis,
  metrics: BatonMetrics,
  stateDir: string,
  previews: UpPreviews,
  readersSeeLogs: boolean,
): Promise<Server> {
  const app = express();
  // Unauthenticated like /healthz (the contract lists it beside the webhooks), for Prometheus scrapes.
  app.get('/metrics', metricsHandler(metrics.registry));
  app.use('/api/webhooks', webhookMetrics(metrics));
  // The sync queue in bull-board at /admin/queues, for the deploy token (header, `baton-token` cookie or ?token= once).
  app.use(queueBoardRouter({ queue: controller.queue.queue, tokens }));
  const refresher = new PushRefresher({ refresh: (url) => controller.poller.refresh(url) });
  app.use(
    createWebhookRouter({
      redis: hookRedis,
      githubSecret: process.env.BATON_GITHUB_WEBHOOK_SECRET || undefined,
      gitlabToken: process.env.BATON_GITLAB_WEBHOOK_TOKEN || undefined,
      onEvent: (event) => {
        // Pull requests open, refresh or remove previews; commit statuses learn where the repository lives.
        previews.onWebhook(event);
        // The event only says where to look; the poller re-reads the repository itself, once per burst of pushes.
        refresher.onEvent(event);
      },
    }),
  );
  app.use(
    createControllerApi({
      state: controller.state,
      queue: controller.queue,
      tokens,
      diff: (status) => controller.diffApp(status),
      podLogs: appPodLogs({ state: controller.state, clusters: clusterTargets({ stateDir }) }),
      // The dashboard's object tree and commit subjects.
      resources: appResources({ clusters: clusterTargets({ stateDir }) }),
      commitInfo: commitLookup(controller.poller),
      previews: () => previews.summaries(),
      readersSeeLogs,
    }),
  );
  // The web dashboard at / (built by `npm run build` into dist/dashboard).
  app.use(dashboardRouter());
  return new Promise((done, fail) => {
    const server = app.listen(port, HOST);
    server.once('listening', () => done(server));
    server.once('error', (err: NodeJS.ErrnoException) =>
      fail(err.code === 'EADDRINUSE' ? new CliError(`baton up: ${HOST}:${port} is already in use; pick another --port`) : err),
    );
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
}

async function closeWithin(worker: RunningSyncWorker, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const graceful = worker.close(false);
  const late = new Promise<'late'>((done) => (timer = setTimeout(() => done('late'), ms)));
  if ((await Promise.race([graceful, late])) === 'late') await worker.close(true);
  clearTimeout(timer);
}

function toCliError(err: unknown): Error {
  if (err instanceof CliError) return err;
  const e = err as Error & { code?: string };
  if (e?.name === 'RedisError' || e?.name === 'SourceError' || /in use by another baton runtime/.test(e?.message ?? '')) return new CliError(`baton up: ${e.message}`);
  return e;
}
