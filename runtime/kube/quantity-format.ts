import { parseQuantity } from './quantity.js';

/** How a quantity is written, kept through arithmetic as resource.Quantity keeps it (`64Mi` + `64Mi` is `128Mi`). */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A quantity's value (base units) with the format it was written in. */
export interface Quantity {
  value: number;
  format: QuantityFormat;
}

const DECIMAL_SUFFIX: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

export function quantityFormat(value: string | number): QuantityFormat {
  if (typeof value === 'number') return 'DecimalSI';
  if (/(Ki|Mi|Gi|Ti|Pi|Ei)$/.test(value.trim())) return 'BinarySI';
  if (/[eE][+-]?\d+$/.test(value.trim())) return 'DecimalExponent';
  return 'DecimalSI';
}

export function toQuantity(value: string | number): Quantity {
  return { value: parseQuantity(value), format: quantityFormat(value) };
}

/** Mantissa and exponent (a multiple of 3) with trailing zeros removed, at nano precision (int64Amount.AsCanonicalBytes). */
function decimalParts(value: number): { mantissa: bigint; exponent: number } {
  let mantissa = BigInt(Math.round(value * 1e9));
  let exponent = -9;
  if (mantissa === 0n) return { mantissa, exponent: 0 };
  while (mantissa % 1000n === 0n && exponent < 18) {
    mantissa /= 1000n;
    exponent += 3;
  }
  return { mantissa, exponent };
}

/** resource.Quantity.String(): the canonical form (`1000m` → `1`, `1536Mi` stays, `1024Mi` → `1Gi`, `1.5` → `1500m`). */
export function formatQuantity(q: Quantity): string {
  const { value } = q;
  let format = q.format;
  // Small or fractional binary quantities print in decimal, as Kubernetes does.
  if (format === 'BinarySI' && (Math.abs(value) < 1024 || !Number.isInteger(value))) format = 'DecimalSI';
  if (format === 'BinarySI') {
    let n = BigInt(value);
    let i = 0;
    while (i < BINARY_SUFFIX.length - 1 && n % 1024n === 0n) {
      n /= 1024n;
      i++;
    }
    return `${n}${BINARY_SUFFIX[i]}`;
  }
  const { mantissa, exponent } = decimalParts(value);
  if (format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  return `${mantissa}${DECIMAL_SUFFIX[exponent] ?? ''}`;
}

/** The canonical spelling of a quantity as written (`"1000m"` → `"1"`). */
export function canonicalQuantity(value: string | number): string {
  return formatQuantity(toQuantity(value));
}
