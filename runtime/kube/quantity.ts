/** Kubernetes resource quantities (`500m`, `1.5`, `128Mi`, `1G`, `2e3`) as plain numbers. */

const MULTIPLIER: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/**
 * The value of a quantity in base units (bytes, cores), or undefined when
 * `value` is not one. The API server rewrites quantities in canonical form
 * (`1000m` → `1`), so they are compared by value.
 */
export function quantityValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = QUANTITY.exec(value.trim());
  if (!match) return undefined;
  // One Number() of mantissa and exponent: `4.35e2` is exactly 435, where 4.35 * 10 ** 2 is 434.99999999999994.
  return Number(match[1] + (match[2] ?? '')) * MULTIPLIER[match[3] ?? ''];
}

/** The quantity's value in base units (bytes, cores); throws on malformed input. */
export function parseQuantity(value: string | number): number {
  const parsed = quantityValue(value);
  if (parsed === undefined) throw new Error(`invalid quantity "${value}"`);
  return parsed;
}

/** CPU in millicores, rounded up as the scheduler counts it. */
export function cpuMillis(value: string | number | undefined): number {
  return value === undefined ? 0 : Math.ceil(parseQuantity(value) * 1000);
}

export function memoryBytes(value: string | number | undefined): number {
  return value === undefined ? 0 : Math.ceil(parseQuantity(value));
}
