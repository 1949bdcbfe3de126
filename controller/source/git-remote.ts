import git from 'isomorphic-git';
import type { HttpClient } from 'isomorphic-git/http/node';
import type { RepositorySpec } from '../apps/app-spec.js';
import { fetchPack, UploadPackHttpError } from './fetch-pack.js';
import { toSourceError } from './git-error.js';
import { heldTips } from './held-tips.js';
import { lsRefsDirect, type ListedRef } from './ls-refs.js';
import { readRepositoryToken } from './repository-token.js';
import { SourceError } from './source-error.js';
import type { UploadPackPost } from './upload-pack-post.js';

const SHA = /^[0-9a-f]{40}$/;

export interface GitRemoteOptions {
  /** Where the token variable is read. */
  env: NodeJS.ProcessEnv;
  http: HttpClient;
  post: UploadPackPost;
  httpTimeoutMs: number;
  /** Whether ref checks may become the single ls-refs POST once negotiated (not with credentials in the URL or a custom client). */
  direct: boolean;
}

/**
 * What baton says to one remote repository over HTTP: ref listings and pack
 * downloads, with the token sent the way git sends it (after the server asks
 * once, then up front). Holds no objects: the caller's mirror does.
 */
export class GitRemote {
  private authUpfront = false;
  /** Whether ref checks may skip isomorphic-git's capability GET (see lsRefsDirect). */
  private direct: 'untried' | 'ready' | 'off';

  constructor(
    private readonly spec: RepositorySpec,
    /** The URL without credentials, for messages. */
    private readonly url: string,
    private readonly options: GitRemoteOptions,
  ) {
    this.direct = options.direct ? 'untried' : 'off';
  }

  /** The ref this repository follows on the remote: `branch`, else what the remote's HEAD points at. */
  async tracked(): Promise<{ ref: string; oid: string }> {
    const branch = this.spec.branch;
    const found = await this.lsRemote(branch ? `refs/heads/${branch}` : 'HEAD', !branch);
    if (!found) {
      const what = branch ? `branch "${branch}" does not exist` : 'the remote has no HEAD (is it empty?)';
      throw new SourceError('REF_NOT_FOUND', `${this.url}: ${what}`, { url: this.url, ref: branch ?? 'HEAD' });
    }
    return { ref: found.target ?? found.ref, oid: found.oid };
  }

  async lsRemote(ref: string, symrefs: boolean): Promise<ListedRef | undefined> {
    const auth = await this.auth();
    if (this.direct === 'ready') {
      const direct = await lsRefsDirect({ url: this.spec.url, prefix: ref, headers: auth.options.headers ?? {}, timeoutMs: this.options.httpTimeoutMs }).catch(
        (err: unknown) => {
          throw toSourceError(err, this.url, auth.source);
        },
      );
      if (Array.isArray(direct)) return direct.find((r) => r.ref === ref);
      if (direct === 'unsupported') this.direct = 'off';
    }
    try {
      const refs = await git.listServerRefs({ http: this.options.http, url: this.spec.url, prefix: ref, symrefs, peelTags: true, ...auth.options });
      // Negotiated once (auth, protocol): later checks can be the single ls-refs POST.
      if (this.direct === 'untried') this.direct = 'ready';
      return refs.find((r) => r.ref === ref);
    } catch (err) {
      throw toSourceError(err, this.url, auth.source);
    }
  }

  /**
   * Downloads what `gitdir` lacks of `want`, the object `remoteRef` names (looked
   * up when not given), as one streamed pack (fetch-pack.ts); returns `want`.
   * The token goes up front once the server asked for it, as for ref checks.
   */
  async fetchInto(gitdir: string, remoteRef: string, want: string | undefined): Promise<string> {
    want ??= SHA.test(remoteRef) ? remoteRef : (await this.lsRemote(remoteRef, false))?.oid;
    if (!want) throw new SourceError('REF_NOT_FOUND', `${this.url} has no ${remoteRef}`, { url: this.url, ref: remoteRef });
    const wants = [want];
    const haves = await heldTips(gitdir);
    const auth = await this.auth();
    const headers = auth.options.headers ?? {};
    const request = (h: Record<string, string>) => fetchPack({ url: this.spec.url, gitdir, wants, haves, headers: h, post: this.options.post });
    try {
      try {
        await request(headers);
      } catch (err) {
        if (!(err instanceof UploadPackHttpError && err.data.statusCode === 401 && auth.basic && !headers.Authorization)) throw err;
        await request({ ...headers, Authorization: auth.basic }).catch((retry: unknown) => {
          // As isomorphic-git reports a token the server turned down.
          throw retry instanceof UploadPackHttpError && retry.data.statusCode === 401 ? Object.assign(new Error('token rejected'), { code: 'UserCanceledError' }) : retry;
        });
        this.authUpfront = true;
      }
    } catch (err) {
      if (err instanceof UploadPackHttpError && err.data.statusCode === 401) this.authUpfront = false;
      throw toSourceError(err, this.url, auth.source);
    }
    return want;
  }

  /**
   * Token auth as HTTP basic (username `x-access-token`, or the URL's user).
   * Sent only after the server asks once, then up front, as git does.
   */
  private async auth(): Promise<{ source?: string; basic?: string; options: Partial<Parameters<typeof git.listServerRefs>[0]> }> {
    const token = await readRepositoryToken(this.spec, this.options.env);
    const headers: Record<string, string> = {};
    if (!token) return { options: { headers } };
    const username = decodeURIComponent(new URL(this.spec.url).username) || 'x-access-token';
    const creds = { username, password: token.token };
    const basic = `Basic ${Buffer.from(`${username}:${token.token}`).toString('base64')}`;
    if (this.authUpfront) headers.Authorization = basic;
    return {
      source: token.source,
      basic,
      options: {
        headers,
        onAuth: () => creds,
        onAuthFailure: () => {
          this.authUpfront = false;
          return { cancel: true };
        },
        onAuthSuccess: () => {
          this.authUpfront = true;
        },
      },
    };
  }
}
