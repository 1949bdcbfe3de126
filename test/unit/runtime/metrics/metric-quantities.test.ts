import { describe, expect, it } from 'vitest';
import { cpuQuantity, durationString, memoryQuantity } from '../../../../runtime/metrics/metric-quantities.js';
import { milliQuantity } from '../../../../runtime/controllers/hpa/hpa-metrics.js';

// Canonical forms as the API server serialises resource.Quantity (metrics-server's usage and the HPA's averageValue).
describe('metric quantities', () => {
  const cases: Array<[string, string, string]> = [
    ['cpu', cpuQuantity(0), '0'],
    ['cpu', cpuQuantity(123456789), '123456789n'],
    ['cpu', cpuQuantity(250_000_000), '250m'],
    ['cpu', cpuQuantity(2_000_000_000), '2'],
    ['cpu', cpuQuantity(1_500_000), '1500u'],
    ['memory', memoryQuantity(5 * 1024 * 1024), '5Mi'],
    ['memory', memoryQuantity(1208 * 1024), '1208Ki'],
    ['memory', memoryQuantity(1000), '1000'],
    ['window', durationString(15_000), '15s'],
    ['window', durationString(10_042), '10.042s'],
    ['averageValue', milliQuantity(450), '450m'],
    ['averageValue', milliQuantity(2000), '2'],
    ['averageValue', milliQuantity(52_428_800_000), '52428800'],
    ['averageValue', milliQuantity(3_000_000_000), '3M'],
  ];
  for (const [what, actual, expected] of cases) {
    it(`${what} ${expected}`, () => expect(actual).toBe(expected));
  }
});
