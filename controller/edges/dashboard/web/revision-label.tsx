import { useCommit } from './commits.js';
import { shortSha, subject } from './format.js';
import { useSession } from './session.js';

/** `a1b2c3d catalog 7.7.7`: the short id, and the commit's subject once it is known. */
export function RevisionLabel({ revision }: { revision: string | null }) {
  const { api } = useSession();
  const commit = useCommit(api, revision);
  if (!revision) return <span class="muted">not synced</span>;
  return (
    <span class="revision" title={commit ? `${revision}\n${commit.author}\n\n${commit.message}` : revision}>
      <code class="sha">{shortSha(revision)}</code>
      {commit && <span class="subject"> {subject(commit.message)}</span>}
    </span>
  );
}
