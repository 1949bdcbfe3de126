import { describe, expect, it } from 'vitest';
import { ageOf, humanDuration } from '../../../../../runtime/api/printing/human-duration.js';

describe('humanDuration prints ages as kubectl does', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const cases: Array<[number, string]> = [
    [-5 * s, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [5 * m + 30 * s, '5m30s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [2 * d, '2d'],
    [3 * d + 5 * h, '3d5h'],
    [8 * d, '8d'],
    [400 * d, '400d'],
    [2 * 365 * d + 3 * d, '2y3d'],
    [9 * 365 * d, '9y'],
  ];
  for (const [ms, text] of cases) it(`${ms} ms → ${text}`, () => expect(humanDuration(ms)).toBe(text));
  it('a missing timestamp is <unknown>', () => expect(ageOf(undefined)).toBe('<unknown>'));
});
