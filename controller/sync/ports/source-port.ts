import type { RepositorySpec } from '../../apps/app-spec.js';
import type { PreviewRecord } from '../../previews/preview-record.js';
import type { AppConfig } from '../../apps/read-app-config.js';
import type { RegisteredRepository } from '../../state/sync-registry.js';

/** What a sync reads of Git and of the controller's registry; never writes. */
export interface SourcePort {
  /** The followed repository declaring `app`, with the newest commit the controller saw. */
  repositoryOf(app: string): Promise<RegisteredRepository | undefined>;
  repository(id: string): Promise<RegisteredRepository | undefined>;
  /** The open preview of request `number`; undefined when closed or previews are off. */
  preview(number: number): Promise<PreviewRecord | undefined>;
  /** The commit a ref (branch, tag, commit, `refs/pull/N/head`) names; Git errors are thrown (retried). */
  resolveRef(repo: RepositorySpec, ref: string): Promise<string>;
  /** `baton.yaml` at `revision`. */
  appConfig(repo: RepositorySpec, revision: string): Promise<AppConfig>;
}
