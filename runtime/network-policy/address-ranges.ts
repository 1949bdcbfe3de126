import { intToIp } from '../network/ipv4-cidr.js';

/** An inclusive range of IPv4 addresses (as unsigned integers) or of ports. */
export type Range = readonly [first: number, last: number];

/** The same numbers as sorted ranges that neither overlap nor touch, which nft's interval sets require. */
export function mergeRanges(ranges: Iterable<Range>): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const [first, last] of sorted) {
    const prev = out[out.length - 1];
    if (prev && first <= prev[1] + 1) prev[1] = Math.max(prev[1], last);
    else out.push([first, last]);
  }
  return out;
}

/** Single numbers (pod addresses) as merged ranges; a typed-array sort keeps thousands cheap. */
export function rangesOfNumbers(numbers: readonly number[]): Range[] {
  const out: Array<[number, number]> = [];
  for (const n of Float64Array.from(numbers).sort()) {
    const prev = out[out.length - 1];
    if (prev && n <= prev[1] + 1) prev[1] = Math.max(prev[1], n);
    else out.push([n, n]);
  }
  return out;
}

/** Every number of `ranges` that is in none of `holes`. */
export function subtractRanges(ranges: Iterable<Range>, holes: Iterable<Range>): Range[] {
  const cuts = mergeRanges(holes);
  const out: Range[] = [];
  for (const [first, last] of mergeRanges(ranges)) {
    let from = first;
    for (const [hFirst, hLast] of cuts) {
      if (hLast < from || hFirst > last) continue;
      if (hFirst > from) out.push([from, hFirst - 1]);
      from = hLast + 1;
      if (from > last) break;
    }
    if (from <= last) out.push([from, last]);
  }
  return out;
}

/** Whether `n` is in one of `ranges`, which must be merged. */
export function inRanges(ranges: readonly Range[], n: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (n < ranges[mid][0]) hi = mid - 1;
    else if (n > ranges[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Merged address ranges as nft set elements: `10.0.0.5`, `10.0.0.0/24` when aligned, else `10.0.0.1-10.0.0.9`. */
export function addressElements(ranges: readonly Range[]): string[] {
  return ranges.map(([first, last]) => {
    if (first === last) return intToIp(first);
    const size = last - first + 1;
    const bits = Math.log2(size);
    if (Number.isInteger(bits) && first % size === 0) return `${intToIp(first)}/${32 - bits}`;
    return `${intToIp(first)}-${intToIp(last)}`;
  });
}

/** Merged port ranges as nft set elements: `80`, `8000-8080`. */
export function portElements(ranges: readonly Range[]): string[] {
  return ranges.map(([first, last]) => (first === last ? String(first) : `${first}-${last}`));
}

/** `<key> x` for one element, `<key> { x, y }` for more; never an empty set, which nft cannot parse. */
export function matchOf(key: string, elements: readonly string[]): string {
  if (elements.length === 0) throw new Error(`empty match for ${key}`);
  return elements.length === 1 ? `${key} ${elements[0]}` : `${key} { ${elements.join(', ')} }`;
}
