import { describe, expect, it } from 'vitest';
import { cpuMillis, memoryBytes, parseQuantity } from '../../../../runtime/kubelet/quantity.js';

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
});
