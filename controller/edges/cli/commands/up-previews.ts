import type { LogLine } from '../../../apps/app-log.js';
import type { PreviewSummary } from '../../api/contract.js';
import type { AppController } from '../../../plan/app-controller.js';
import type { ClusterTargets } from '../../../clusters/cluster-target.js';
import { CommitStatusNotifier } from '../../notify/commit-status-notifier.js';
import { CommitStatusReporter } from '../../../previews/commit-status-reporter.js';
import { PreviewController } from '../../../previews/preview-controller.js';
import { previewSummaries } from '../../api/preview-summaries.js';
import { PreviewStore } from '../../../previews/preview-store.js';
import { PullRequestPoller } from '../../../previews/pull-request-poller.js';
import type { WebhookEvent } from '../../webhooks/webhook-event.js';
import { startReconcileLoop } from '../../../../runtime/kube/reconcile/reconcile-loop.js';
import { requeueAfter } from '../../../../runtime/kube/reconcile/reconcile-result.js';

export interface UpPreviewsOptions {
  redisUrl: string;
  controller: AppController;
  clusters: ClusterTargets;
  /** The ingress' URL, for previews' links. */
  ingressUrl: string;
  /** The dashboard's root, once the server listens. */
  dashboardUrl: () => string;
  ttlMs: number;
  maxPreviews: number;
  /** Also list open requests by polling the provider's API (for repositories webhooks cannot reach). @defaultValue webhooks only */
  pullRequests?: { provider: 'github' | 'gitlab'; repoPath: string; repository: string; repoUrl: string; intervalMs: number };
  /** How often idle, surplus and orphaned previews are swept. @defaultValue 60000 */
  sweepEveryMs?: number;
  log: LogLine;
}

/** The preview side of `baton up`: pull request events → previews, commit statuses, the periodic sweep. */
export interface UpPreviews {
  previews: PreviewController;
  /** For the webhook router: every verified event. */
  onWebhook(event: WebhookEvent): void;
  /** For `GET /api/v1/previews`. */
  summaries(): Promise<PreviewSummary[]>;
  close(): Promise<void>;
}

export async function startUpPreviews(options: UpPreviewsOptions): Promise<UpPreviews> {
  const { controller, log } = options;
  const store = new PreviewStore(options.redisUrl);
  const previews = new PreviewController({
    store,
    state: controller.state,
    queue: controller.queue,
    registry: controller.registry,
    poller: controller.poller,
    clusters: options.clusters,
    ttlMs: options.ttlMs,
    maxPreviews: options.maxPreviews,
    log,
  });
  const reporter = new CommitStatusReporter({
    notifier: CommitStatusNotifier.fromEnv(process.env, { logger: { warn: (_obj, msg) => log(msg) } }),
    state: controller.state,
    previews: store,
    dashboardUrl: options.dashboardUrl,
    ingressUrl: options.ingressUrl,
    matchRepository: (url) => controller.poller.match(url),
    repositoryOf: (app) => controller.registry.repositoryOf(app),
  });
  await reporter.start();
  const poller = options.pullRequests && startPullRequestPoller(options.pullRequests, previews, log);
  const sweepEveryMs = options.sweepEveryMs ?? 60_000;
  const sweeper = startReconcileLoop({
    name: 'preview-sweeper',
    concurrency: 1,
    reconcile: async () => {
      await previews.sweep().catch((err: unknown) => log(`preview sweep: ${(err as Error).message}`));
      return requeueAfter(sweepEveryMs);
    },
  });
  sweeper.enqueueAfter('previews', sweepEveryMs);
  return {
    previews,
    onWebhook(event) {
      reporter.learn(event);
      if (event.kind === 'pull_request') void previews.handle(event);
    },
    summaries: async () => previewSummaries(await store.list(), controller.state, options.ingressUrl),
    async close() {
      await sweeper.stop();
      await poller?.close();
      await previews.idle();
      await reporter.close();
      await store.close();
    },
  };
}

function startPullRequestPoller(config: NonNullable<UpPreviewsOptions['pullRequests']>, previews: PreviewController, log: (line: string) => void): PullRequestPoller {
  const github = config.provider === 'github';
  const token = (github ? process.env.BATON_GITHUB_TOKEN : process.env.BATON_GITLAB_TOKEN) ?? '';
  const apiUrl = (github ? process.env.BATON_GITHUB_API_URL : process.env.BATON_GITLAB_API_URL) || undefined;
  const poller = new PullRequestPoller({ ...config, token, ...(apiUrl ? { apiUrl } : {}), previews, log });
  poller.start();
  return poller;
}
