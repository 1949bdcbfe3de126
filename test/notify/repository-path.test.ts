import { describe, expect, it } from 'vitest';
import { NotifyError } from '../../controller/edges/notify/notify-error.js';
import { repositoryPath } from '../../controller/edges/notify/repository-path.js';

describe('repositoryPath', () => {
  it.each([
    ['acme/shop', 'acme/shop'],
    ['group/sub/repo', 'group/sub/repo'],
    ['github.com/acme/shop', 'acme/shop'],
    ['gitlab.example.com:8443/group/sub/repo', 'group/sub/repo'],
    ['https://user:token@github.com/acme/shop.git/', 'acme/shop'],
    ['git@gitlab.com:group/sub/repo.git', 'group/sub/repo'],
    ['ssh://git@gitlab.example.com:2222/group/repo.git', 'group/repo'],
  ])('%s → %s', (input, expected) => {
    expect(repositoryPath(input)).toBe(expected);
  });

  it.each(['./local/repo', '/srv/git/shop', 'file:///srv/git/shop', 'https://github.com/', 'shop'])('refuses %s', (input) => {
    expect(() => repositoryPath(input)).toThrow(NotifyError);
  });

  it('never repeats credentials in its error', () => {
    expect(() => repositoryPath('https://x:s3cret@github.com/')).toThrow(/^(?!.*s3cret)/);
  });
});
