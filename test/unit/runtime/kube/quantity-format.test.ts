import { describe, expect, it } from 'vitest';
import { canonicalQuantity, formatQuantity } from '../../../../runtime/kube/quantity-format.js';

describe('canonicalQuantity (resource.Quantity.String)', () => {
  it.each([
    ['1000m', '1'],
    ['1', '1'],
    ['500m', '500m'],
    ['1.5', '1500m'],
    ['0.1', '100m'],
    ['1500', '1500'],
    ['2000', '2k'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['128Mi', '128Mi'],
    ['512', '512'],
    ['1e3', '1e3'],
    ['0', '0'],
  ])('%s → %s', (input, want) => {
    expect(canonicalQuantity(input)).toBe(want);
  });

  it('keeps the format through sums: 64Mi + 64Mi is 128Mi, 100m + 200m is 300m', () => {
    expect(formatQuantity({ value: 2 * 64 * 2 ** 20, format: 'BinarySI' })).toBe('128Mi');
    expect(formatQuantity({ value: 0.1 + 0.2, format: 'DecimalSI' })).toBe('300m');
  });
});
