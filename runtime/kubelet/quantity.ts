/** Kubernetes resource quantities (`500m`, `1.5`, `128Mi`, `1G`, `2e3`) as plain numbers. */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The quantity's value in base units (bytes, cores); throws on malformed input. */
export function parseQuantity(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/.exec(value.trim());
  if (!match) throw new Error(`invalid quantity "${value}"`);
  const base = Number(match[1]);
  if (match[2]) return base * 10 ** Number(match[2].slice(1));
  const suffix = match[3] ?? '';
  return base * (BINARY[suffix] ?? DECIMAL[suffix]);
}

/** CPU in millicores, rounded up as the scheduler counts it. */
export function cpuMillis(value: string | number | undefined): number {
  return value === undefined ? 0 : Math.ceil(parseQuantity(value) * 1000);
}

export function memoryBytes(value: string | number | undefined): number {
  return value === undefined ? 0 : Math.ceil(parseQuantity(value));
}
