import { describe, expect, it } from 'vitest';
import { displayUrl, isLocalUrl, normalizeUrl, repoId } from '../../../../controller/source/normalize-url.js';

describe('normalizeUrl', () => {
  it.each([
    ['https://github.com/acme/shop.git', 'github.com/acme/shop'],
    ['https://GitHub.COM/acme/shop', 'github.com/acme/shop'],
    ['https://user:tok@github.com/acme/shop.git/', 'github.com/acme/shop'],
    ['http://github.com/acme/shop/', 'github.com/acme/shop'],
    ['git@github.com:acme/shop.git', 'github.com/acme/shop'],
    ['ssh://git@github.com/acme/shop.git', 'github.com/acme/shop'],
    ['https://gitlab.example.com:8443/group/sub/proj.git', 'gitlab.example.com:8443/group/sub/proj'],
    ['https://github.com:443/acme/shop', 'github.com/acme/shop'],
    ['https://github.com/Acme/Shop', 'github.com/Acme/Shop'],
    ['/srv/repos/shop/', '/srv/repos/shop'],
    ['/srv/repos/shop.git', '/srv/repos/shop'],
    ['file:///srv/repos/shop', '/srv/repos/shop'],
  ])('%s → %s', (url, expected) => {
    expect(normalizeUrl(url)).toBe(expected);
  });
});

describe('isLocalUrl', () => {
  it.each([
    ['/srv/repo', true],
    ['file:///srv/repo', true],
    ['./repo', true],
    ['https://github.com/a/b', false],
    ['git@github.com:a/b.git', false],
  ])('%s → %s', (url, expected) => {
    expect(isLocalUrl(url)).toBe(expected);
  });
});

describe('repoId', () => {
  it('is the same for every spelling of a repository and safe as a file name', () => {
    const id = repoId('https://github.com/acme/shop.git');
    expect(repoId('https://x:y@GITHUB.com/acme/shop/')).toBe(id);
    expect(repoId('git@github.com:acme/shop')).toBe(id);
    expect(id).toMatch(/^github-com-acme-shop-[0-9a-f]{10}$/);
  });

  it('differs between repositories and stays short for long URLs', () => {
    expect(repoId('https://github.com/acme/shop')).not.toBe(repoId('https://github.com/acme/shop2'));
    const long = repoId(`https://example.com/${'very-long-group/'.repeat(20)}repo.git`);
    expect(long.length).toBeLessThanOrEqual(51);
    expect(long).toMatch(/^[a-z0-9][a-z0-9-]*$/);
  });
});

describe('displayUrl', () => {
  it('drops credentials', () => {
    expect(displayUrl('https://bot:s3cret@github.com/acme/shop.git')).toBe('https://github.com/acme/shop.git');
    expect(displayUrl('/srv/repo')).toBe('/srv/repo');
  });
});
