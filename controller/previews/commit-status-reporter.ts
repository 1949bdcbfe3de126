import type { CommitState } from '../edges/notify/commit-status.js';
import type { CommitStatusNotifier } from '../edges/notify/commit-status-notifier.js';
import type { StateEvent, StateSubscription } from '../state/state-event.js';
import type { StateStore } from '../state/state-store.js';
import type { WebhookEvent, WebhookProvider } from '../edges/webhooks/webhook-event.js';
import { appOrigin, type AppOrigin } from '../state/app-status.js';
import { previewUrl } from './preview-url.js';
import type { PreviewStore } from './preview-store.js';

export interface CommitStatusReporterOptions {
  notifier: CommitStatusNotifier;
  state: StateStore;
  previews: Pick<PreviewStore, 'get'>;
  /** The dashboard's root, linked from production apps' statuses (asked when a status is sent). */
  dashboardUrl: () => string;
  /** The ingress' URL, for previews' links. @defaultValue previews link to the dashboard */
  ingressUrl?: string;
  /** Tells which repository (id) a webhook's URLs name. */
  matchRepository: (url: string) => string[];
  /** Which repository (id) declares a production app. */
  repositoryOf: (app: string) => Promise<string | undefined>;
}

/**
 * Posts a commit status for every sync of an app whose repository lives on
 * GitHub or GitLab: running when it starts, success or failure when it is
 * recorded, linking to the preview (for `pr-N.<app>`) or to the app's page
 * on the dashboard. The host and path of a production repository are learnt
 * from its webhooks (a repository that sent none gets no statuses).
 */
export class CommitStatusReporter {
  private readonly hosts = new Map<string, { provider: WebhookProvider; repoPath: string }>();
  private subscription: StateSubscription | undefined;
  private sending: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: CommitStatusReporterOptions) {}

  async start(): Promise<void> {
    this.subscription = await this.options.state.subscribe((event) => this.onEvent(event));
  }

  /** Remembers where a repository lives from any verified webhook naming it. */
  learn(event: WebhookEvent): void {
    if (!event.repoPath) return;
    for (const id of new Set(event.repoUrls.flatMap((url) => this.options.matchRepository(url)))) {
      this.hosts.set(id, { provider: event.provider, repoPath: event.repoPath });
    }
  }

  /** Resolves once the statuses of the events seen so far are sent (tests). */
  async idle(): Promise<void> {
    await this.sending;
  }

  async close(): Promise<void> {
    await this.subscription?.close();
    await this.sending;
  }

  private onEvent(event: StateEvent): void {
    if (!event.app || (event.type !== 'sync.started' && event.type !== 'sync.recorded')) return;
    let sha: string | undefined;
    let state: CommitState;
    let description: string;
    if (event.type === 'sync.started') {
      sha = (event.data as { revision?: string } | undefined)?.revision;
      state = 'running';
      description = 'deploying';
    } else {
      // sync.recorded carries the history entry: the commit synced and how it ended.
      const entry = (event.data as { entry?: { revision?: string; result?: string; message?: string } } | undefined)?.entry;
      sha = entry?.revision;
      state = entry?.result === 'Succeeded' ? 'success' : 'failure';
      description = state === 'success' ? 'deployed and healthy' : (entry?.message ?? 'failed').split('\n')[0];
    }
    if (!sha) return;
    const app = event.app;
    this.sending = this.sending.then(() => this.send(app, sha, state, description)).catch(() => undefined);
  }

  private async send(app: string, sha: string, state: CommitState, description: string): Promise<void> {
    const status = await this.options.state.getApp(app);
    // An app forgotten meanwhile reads as a branch's: no repository declares it, so neither kind gets a status.
    const origin: AppOrigin = status ? appOrigin(status) : { kind: 'branch' };
    let where: { provider: WebhookProvider; repoPath: string } | undefined;
    let targetUrl = `${this.options.dashboardUrl().replace(/\/+$/, '')}/#/apps/${encodeURIComponent(app)}`;
    if (origin.kind === 'preview') {
      const record = await this.options.previews.get(origin.number);
      if (!record?.repoPath) return;
      where = { provider: record.provider, repoPath: record.repoPath };
      if (state === 'success') targetUrl = (await previewUrl(this.options.state, app, this.options.ingressUrl)) ?? targetUrl;
    } else {
      const repo = await this.options.repositoryOf(app);
      where = repo === undefined ? undefined : this.hosts.get(repo);
    }
    if (!where || !this.options.notifier.enabled(where.provider)) return;
    await this.options.notifier.notify({ provider: where.provider, repository: where.repoPath, sha, state, app, targetUrl, description });
  }
}
