import { describe, expect, it } from 'vitest';
import { ipToInt } from '../../../../runtime/network/ipv4-cidr.js';
import { addressElements, mergeRanges, portElements, rangesOfNumbers, subtractRanges, type Range } from '../../../../runtime/network-policy/address-ranges.js';

const ip = (s: string): number => ipToInt(s)!;
const span = (a: string, b: string): Range => [ip(a), ip(b)];

describe('address ranges', () => {
  it.each<[string, Range[], string[]]>([
    ['one address', [span('10.0.0.5', '10.0.0.5')], ['10.0.0.5']],
    ['an aligned block as a CIDR', [span('10.0.0.0', '10.0.0.255')], ['10.0.0.0/24']],
    ['the whole space', [[0, 2 ** 32 - 1]], ['0.0.0.0/0']],
    ['an unaligned run as a range', [span('10.0.0.1', '10.0.0.9')], ['10.0.0.1-10.0.0.9']],
    ['overlapping and touching ranges joined', [span('10.0.0.8', '10.0.0.20'), span('10.0.0.0', '10.0.0.7'), span('10.0.0.10', '10.0.0.12')], ['10.0.0.0-10.0.0.20']],
    ['gaps kept, sorted', [span('10.0.1.0', '10.0.1.0'), span('10.0.0.1', '10.0.0.1')], ['10.0.0.1', '10.0.1.0']],
  ])('%s', (_name, ranges, elements) => {
    expect(addressElements(mergeRanges(ranges))).toEqual(elements);
  });

  it.each<[string, Range[], Range[], string[]]>([
    ['a hole in the middle', [span('10.0.0.0', '10.255.255.255')], [span('10.1.0.0', '10.1.255.255')], ['10.0.0.0/16', '10.2.0.0-10.255.255.255']],
    ['holes at both ends', [span('10.0.0.0', '10.0.0.255')], [span('10.0.0.0', '10.0.0.127'), span('10.0.0.192', '10.0.0.255')], ['10.0.0.128/26']],
    ['everything cut', [span('10.0.0.0', '10.0.0.255')], [span('0.0.0.0', '255.255.255.255')], []],
    ['one address out of the whole space', [[0, 2 ** 32 - 1]], [span('10.0.0.1', '10.0.0.1')], ['0.0.0.0-10.0.0.0', '10.0.0.2-255.255.255.255']],
  ])('subtract: %s', (_name, ranges, holes, elements) => {
    expect(addressElements(subtractRanges(ranges, holes))).toEqual(elements);
  });

  it('turns single addresses into runs', () => {
    expect(addressElements(rangesOfNumbers([ip('10.0.0.3'), ip('10.0.0.1'), ip('10.0.0.2'), ip('10.0.0.2'), ip('10.0.0.9')]))).toEqual(['10.0.0.1-10.0.0.3', '10.0.0.9']);
  });

  it('writes ports as numbers and ranges', () => {
    expect(portElements(mergeRanges([[80, 80], [8000, 8080], [8081, 8081], [443, 443]]))).toEqual(['80', '443', '8000-8081']);
  });
});
