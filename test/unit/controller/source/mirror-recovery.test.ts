import { spawn } from 'node:child_process';
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git/http/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RepositorySource } from '../../../../controller/source/repository.js';
import { SourcePoller, type SourceProblemEvent } from '../../../../controller/source/source-poller.js';
import { createGitFixture, type GitFixture } from '../../../source/git-fixture.js';
import { git } from '../../../support/git-http-server.js';

// Issue 15 point 9: a mirror deleted or corrupted while baton runs used to fail every fetch after it,
// so new commits were never deployed. The remote is `git http-backend` run once per request (no server).

/** isomorphic-git's HTTP client answered by one `git http-backend` run per request over `root`. */
function httpBackend(root: string): HttpClient {
  return {
    async request({ url, method = 'GET', headers = {}, body }: GitHttpRequest): Promise<GitHttpResponse> {
      const parts: Buffer[] = [];
      if (body) for await (const chunk of body) parts.push(Buffer.from(chunk));
      const input = Buffer.concat(parts);
      const u = new URL(url);
      const header = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
      const child = spawn('git', ['http-backend'], {
        env: {
          PATH: process.env.PATH,
          GIT_PROJECT_ROOT: root,
          GIT_HTTP_EXPORT_ALL: '1',
          GIT_CONFIG_NOSYSTEM: '1',
          PATH_INFO: u.pathname,
          QUERY_STRING: u.search.slice(1),
          REQUEST_METHOD: method,
          CONTENT_TYPE: header('content-type'),
          CONTENT_LENGTH: String(input.length),
          ...(header('git-protocol') ? { GIT_PROTOCOL: header('git-protocol') } : {}),
        },
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
      const out: Buffer[] = [];
      for await (const chunk of child.stdout) out.push(chunk as Buffer);
      const all = Buffer.concat(out);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split).toString('latin1').split('\r\n');
      const responseHeaders: Record<string, string> = {};
      let statusCode = 200;
      for (const line of head) {
        const [name, ...rest] = line.split(':');
        if (name.toLowerCase() === 'status') statusCode = Number.parseInt(rest.join(':').trim(), 10);
        else responseHeaders[name.toLowerCase()] = rest.join(':').trim();
      }
      const payload = all.subarray(split + 4);
      return { url, method, statusCode, statusMessage: 'OK', headers: responseHeaders, body: [new Uint8Array(payload)][Symbol.iterator]() as never };
    },
  };
}

let fx: GitFixture;
beforeEach(async () => {
  fx = await createGitFixture('app');
});
afterEach(async () => {
  await fx.cleanup();
});

const URL_ = 'http://git.invalid/app.git';
const source = () => new RepositorySource({ id: 'app', url: URL_, branch: 'main', intervalSeconds: 60 }, { stateDir: fx.stateDir, http: httpBackend(fx.root) });
const mirror = () => join(fx.stateDir, 'git', 'app.git');
const read = async (s: RepositorySource, commit: string) => (await s.tree(commit).read('a.txt'))?.toString();

describe('a mirror deleted or corrupted while baton runs', () => {
  it('is cloned again when it was deleted, and the new commit is read', async () => {
    const v1 = await fx.commit({ 'a.txt': 'v1\n' });
    const s = source();
    await s.check();
    expect(await s.fetch()).toBe(v1);

    await rm(mirror(), { recursive: true, force: true });
    const v2 = await fx.commit({ 'a.txt': 'v2\n' });
    expect(await s.check()).toEqual({ commit: v2, moved: true });
    expect(await s.fetch()).toBe(v2);
    expect(await read(s, v2)).toBe('v2\n');
    expect(await read(s, v1)).toBe('v1\n');
  });

  it('is cloned again when no new commit came: the check finds it gone', async () => {
    const v1 = await fx.commit({ 'a.txt': 'v1\n' });
    const s = source();
    await s.check();
    await s.fetch();
    await rm(mirror(), { recursive: true, force: true });
    expect(await s.check()).toEqual({ commit: v1, moved: true });
    expect(await s.fetch()).toBe(v1);
    expect(await read(s, v1)).toBe('v1\n');
  });

  it('is started over when its files are garbage, as found by a baton started on it', async () => {
    await fx.commit({ 'a.txt': 'v1\n' });
    const first = source();
    await first.check();
    await first.fetch();
    await writeFile(join(mirror(), 'config'), '[[[ not a config\n');
    for (const name of await readdir(join(mirror(), 'objects', 'pack'))) await writeFile(join(mirror(), 'objects', 'pack', name), 'garbage');
    const v2 = await fx.commit({ 'a.txt': 'v2\n' });

    const s = source();
    expect(await s.check()).toEqual({ commit: v2, moved: true });
    expect(await s.fetch()).toBe(v2);
    expect(await read(s, v2)).toBe('v2\n');
  });
});

describe('SourcePoller problems', () => {
  it('says when a followed branch was force-pushed, and stops saying it once it moves on normally', async () => {
    await fx.commit({ 'a.txt': 'base\n' });
    const doomed = await fx.commit({ 'a.txt': 'doomed\n' });
    const poller = new SourcePoller({ stateDir: fx.stateDir, watchLocal: false });
    const problems: SourceProblemEvent[] = [];
    poller.on('problem', (e) => problems.push(e));
    const forced: boolean[] = [];
    poller.on('revision', (e) => forced.push(e.forced ?? false));
    try {
      poller.add({ id: 'app', url: fx.work, branch: 'main', intervalSeconds: 3600 });
      await poller.refresh('app');
      await git(fx.work, 'reset', '-q', '--hard', 'HEAD~1');
      const rewritten = await fx.commit({ 'a.txt': 'rewritten\n' });
      await poller.refresh('app');
      expect(poller.status('app')?.lastCommit).toBe(rewritten);
      expect(problems.at(-1)?.problem).toBe(`branch main was force-pushed: ${doomed.slice(0, 7)} is not an ancestor of ${rewritten.slice(0, 7)}`);
      await fx.commit({ 'a.txt': 'next\n' });
      await poller.refresh('app');
      expect(problems.at(-1)).toEqual({ repository: 'app', problem: undefined });
      expect(forced).toEqual([false, true, false]);
    } finally {
      await poller.close();
    }
  });

  it('says since when a repository cannot be read, and that it is over once it can', async () => {
    await fx.commit({ 'a.txt': 'v1\n' });
    const poller = new SourcePoller({ stateDir: fx.stateDir, watchLocal: false, minBackoffMs: 3_600_000 });
    const problems: SourceProblemEvent[] = [];
    poller.on('problem', (e) => problems.push(e));
    poller.on('error', () => undefined);
    const moved = `${fx.work}-moved`;
    try {
      poller.add({ id: 'app', url: fx.work, branch: 'main', intervalSeconds: 3600 });
      await poller.refresh('app');
      expect(problems).toEqual([{ repository: 'app', problem: undefined }]);
      await rename(fx.work, moved);
      await poller.refresh('app');
      const since = poller.status('app')!.failingSince!.toISOString().slice(11, 16);
      expect(problems.at(-1)?.problem).toMatch(new RegExp(`^source unreadable since ${since}: .*${fx.work}`));
      await rename(moved, fx.work);
      await poller.refresh('app');
      expect(problems.at(-1)).toEqual({ repository: 'app', problem: undefined });
      expect(problems).toHaveLength(3);
    } finally {
      await poller.close();
    }
  });
});
