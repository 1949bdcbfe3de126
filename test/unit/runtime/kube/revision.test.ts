import { describe, expect, it } from 'vitest';
import { isCommitId, shortRevision } from '../../../../runtime/kube/revision.js';

const sha1 = 'f792010474090901f7bcb7d519e9159d1c196d38';
const sha256 = 'f792010474090901f7bcb7d519e9159d1c196d38f792010474090901f7bcb7d5';

describe('shortRevision', () => {
  it.each([
    ['a SHA-1 commit id', sha1, 'f792010'],
    ['a SHA-256 commit id', sha256, 'f792010'],
    ['a branch', 'main', 'main'],
    ['an abbreviated id, kept as written', 'f792010474', 'f792010474'],
    ['41 hex digits: not a commit id', `${sha1}a`, `${sha1}a`],
    ['upper case: not as Git prints it', sha1.toUpperCase(), sha1.toUpperCase()],
    ['none', undefined, '(none)'],
    ['empty', '', '(none)'],
  ])('%s', (_what, revision, expected) => {
    expect(shortRevision(revision)).toBe(expected);
  });

  it('shows a missing revision as the caller asks', () => {
    expect(shortRevision(null, '-')).toBe('-');
    expect(shortRevision(sha1, '-')).toBe('f792010');
  });

  it('knows a full commit id', () => {
    expect([sha1, sha256, 'main', sha1.slice(0, 39)].map(isCommitId)).toEqual([true, true, false, false]);
  });
});
