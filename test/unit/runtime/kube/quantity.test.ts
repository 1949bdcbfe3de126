import { describe, expect, it } from 'vitest';
import { cpuMillis, memoryBytes, parseQuantity, quantityValue } from '../../../../runtime/kube/quantity.js';

describe('quantities', () => {
  it.each([
    ['500m', 0.5],
    ['1', 1],
    ['1.5', 1.5],
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['2e3', 2000],
    ['100k', 100_000],
    ['4.35e2', 435],
    [' 1Ki ', 1024],
  ])('parses %s', (input, expected) => {
    expect(parseQuantity(input)).toBe(expected);
  });

  it('counts CPU in millicores and memory in bytes', () => {
    expect(cpuMillis('250m')).toBe(250);
    expect(cpuMillis(2)).toBe(2000);
    expect(cpuMillis(undefined)).toBe(0);
    expect(memoryBytes('64Mi')).toBe(67_108_864);
  });

  it('rejects nonsense', () => {
    expect(() => parseQuantity('lots')).toThrow('invalid quantity "lots"');
  });

  it('gives undefined for what is not a quantity, for callers that compare values', () => {
    expect([quantityValue('lots'), quantityValue('1Kb'), quantityValue(Number.NaN), quantityValue(null), quantityValue({})]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect([quantityValue('1000m'), quantityValue(0.5)]).toEqual([1, 0.5]);
  });
});
