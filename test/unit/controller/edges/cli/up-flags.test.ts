import { describe, expect, it } from 'vitest';
import { parseBoolean, parseCount, parseInterval, parsePullRequestsFlag } from '../../../../../controller/edges/cli/commands/up-flags.js';

describe('baton up flags', () => {
  it('reads durations with units up to days, as --preview-ttl 7d needs', () => {
    expect(parseInterval('--interval', '30s')).toBe(30);
    expect(parseInterval('--interval', '500ms')).toBe(0.5);
    expect(parseInterval('--preview-ttl', '7d')).toBe(7 * 86400);
    expect(() => parseInterval('--preview-ttl', '7 days')).toThrow(/--preview-ttl must be a duration such as 30s/);
  });

  it('reads --readers-see-logs=false and its spellings, refusing anything else', () => {
    for (const [text, value] of [['false', false], ['no', false], ['0', false], ['true', true], ['Yes', true], ['on', true]] as const) expect(parseBoolean('--readers-see-logs', text)).toBe(value);
    expect(() => parseBoolean('--readers-see-logs', 'nope')).toThrow(/--readers-see-logs must be true or false, got "nope"/);
  });

  it('wants a whole --max-previews of at least 1', () => {
    expect(parseCount('--max-previews', '10')).toBe(10);
    expect(() => parseCount('--max-previews', '0')).toThrow(/--max-previews must be a whole number of at least 1, got "0"/);
  });

  it('reads --pull-requests provider:path and insists on the provider token', () => {
    expect(parsePullRequestsFlag('github:acme/shop', { BATON_GITHUB_TOKEN: 't' })).toEqual({ provider: 'github', repoPath: 'acme/shop' });
    expect(parsePullRequestsFlag('gitlab:group/sub/project', { BATON_GITLAB_TOKEN: 't' })).toEqual({ provider: 'gitlab', repoPath: 'group/sub/project' });
    expect(() => parsePullRequestsFlag('github:acme/shop', {})).toThrow(/needs an API token in BATON_GITHUB_TOKEN/);
    expect(() => parsePullRequestsFlag('bitbucket:acme/shop', { BATON_GITHUB_TOKEN: 't' })).toThrow(/must be github:OWNER\/REPO or gitlab:GROUP\/PROJECT, got "bitbucket:acme\/shop"/);
    expect(() => parsePullRequestsFlag('github:shop', { BATON_GITHUB_TOKEN: 't' })).toThrow(/must be github:OWNER\/REPO/);
  });
});
