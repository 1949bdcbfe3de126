import { describe, expect, it } from 'vitest';
import { sourceProblem, type SourceTrouble } from '../../../../controller/source/source-problem.js';

const since = new Date('2026-12-06T10:42:31Z');
const a = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
const b = '5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e';

describe('sourceProblem', () => {
  const cases: [string, SourceTrouble, string | undefined][] = [
    ['nothing wrong', {}, undefined],
    ['unreachable: the reason without the URL, time in UTC', { error: 'cannot reach https://git.example/shop.git: ECONNREFUSED', errorCode: 'UNREACHABLE', failingSince: since }, 'source unreachable since 10:42: ECONNREFUSED'],
    ['another error keeps its whole message', { error: 'https://git.example/shop.git refused access (HTTP 403)', errorCode: 'AUTH_FAILED', failingSince: since }, 'source unreadable since 10:42: https://git.example/shop.git refused access (HTTP 403)'],
    ['a force push', { forcePush: { branch: 'main', from: a, to: b } }, 'branch main was force-pushed: 1a2b3c4 is not an ancestor of 5d6e7f8'],
    [
      'both',
      { error: 'cannot reach https://git.example/shop.git: ETIMEDOUT', errorCode: 'UNREACHABLE', failingSince: since, forcePush: { branch: 'main', from: a, to: b } },
      'source unreachable since 10:42: ETIMEDOUT; branch main was force-pushed: 1a2b3c4 is not an ancestor of 5d6e7f8',
    ],
  ];
  it.each(cases)('%s', (_, trouble, expected) => {
    expect(sourceProblem(trouble)).toBe(expected);
  });
});
