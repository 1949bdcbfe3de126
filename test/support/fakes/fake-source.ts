import type { AppSpec, RepositorySpec } from '../../../controller/apps/app-spec.js';
import { DEFAULT_PREVIEW_SETTINGS } from '../../../controller/apps/preview-settings.js';
import type { PreviewRecord } from '../../../controller/previews/preview-record.js';
import type { AppConfig } from '../../../controller/apps/read-app-config.js';
import type { SourcePort } from '../../../controller/sync/ports/source-port.js';
import type { RegisteredRepository } from '../../../controller/state/sync-registry.js';

/**
 * The SourcePort in memory: repositories with a branch head, which apps each
 * declares, open previews, refs, and `baton.yaml` per commit. A commit is
 * known once a config is set for it; refs name known commits.
 */
export class FakeSource implements SourcePort {
  readonly repositories = new Map<string, RegisteredRepository>();
  readonly appRepositories = new Map<string, string>();
  readonly previews = new Map<number, PreviewRecord>();
  readonly refs = new Map<string, string>();
  readonly configs = new Map<string, AppConfig>();
  /** Refs asked for, in order. */
  readonly resolved: string[] = [];
  /** Thrown by the next read (a Git remote that does not answer). */
  failNext: Error | undefined;

  addRepository(id: string, head?: string): RepositorySpec {
    const spec: RepositorySpec = { id, url: `/repos/${id}`, branch: 'main', intervalSeconds: 30 };
    this.repositories.set(id, { spec, ...(head ? { revision: head } : {}) });
    return spec;
  }

  setHead(id: string, head: string): void {
    this.repositories.get(id)!.revision = head;
  }

  /** `baton.yaml` at `revision` declares `apps`. */
  commit(revision: string, apps: AppSpec[]): void {
    this.configs.set(revision, { ok: true, apps: structuredClone(apps), previews: DEFAULT_PREVIEW_SETTINGS });
  }

  /** `baton.yaml` at `revision` does not parse. */
  brokenCommit(revision: string, errors: string[]): void {
    this.configs.set(revision, { ok: false, errors });
  }

  openPreview(record: PreviewRecord): void {
    this.previews.set(record.number, record);
  }

  async repositoryOf(app: string): Promise<RegisteredRepository | undefined> {
    const id = this.appRepositories.get(app);
    return id === undefined ? undefined : this.repository(id);
  }

  async repository(id: string): Promise<RegisteredRepository | undefined> {
    const repo = this.repositories.get(id);
    return repo && structuredClone(repo);
  }

  async preview(number: number): Promise<PreviewRecord | undefined> {
    const record = this.previews.get(number);
    return record && structuredClone(record);
  }

  async resolveRef(_repo: RepositorySpec, ref: string): Promise<string> {
    this.resolved.push(ref);
    this.throwIfFailing();
    const commit = this.refs.get(ref) ?? (this.configs.has(ref) ? ref : undefined);
    if (commit === undefined) throw new Error(`fake source: cannot resolve ${ref}`);
    return commit;
  }

  async appConfig(_repo: RepositorySpec, revision: string): Promise<AppConfig> {
    this.throwIfFailing();
    return structuredClone(this.configs.get(revision) ?? { ok: false, errors: ['baton.yaml:1:1: the repository has no baton.yaml at its root'] });
  }

  private throwIfFailing(): void {
    const err = this.failNext;
    this.failNext = undefined;
    if (err) throw err;
  }
}
