/**
 * Quantities in the canonical form the API server (and so metrics-server)
 * writes them: the largest suffix that keeps the number whole.
 */

/** CPU from nanocores: `250m`, `1`, `1500u`, `123456789n`. */
export function cpuQuantity(nanoCores: number): string {
  const n = Math.max(0, Math.round(nanoCores));
  if (n % 1e9 === 0) return String(n / 1e9);
  if (n % 1e6 === 0) return `${n / 1e6}m`;
  if (n % 1e3 === 0) return `${n / 1e3}u`;
  return `${n}n`;
}

const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];

/** Memory from bytes, binary suffixes as metrics-server's BinarySI quantities print: `5120Ki`, `12Mi`, `1000`. */
export function memoryQuantity(bytes: number): string {
  let n = Math.max(0, Math.round(bytes));
  if (n === 0) return '0';
  let i = 0;
  while (i < BINARY_SUFFIXES.length - 1 && n % 1024 === 0) {
    n /= 1024;
    i++;
  }
  return `${n}${BINARY_SUFFIXES[i]}`;
}

/** A Go time.Duration string as metav1.Duration serialises it: `15s`, `10.042s`. */
export function durationString(ms: number): string {
  const seconds = Math.round(ms) / 1000;
  return `${seconds}s`;
}
