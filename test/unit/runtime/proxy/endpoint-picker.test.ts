import { describe, expect, it } from 'vitest';
import { EndpointPicker, endpointKey } from '../../../../runtime/proxy/endpoint-picker.js';

const a = { ip: '127.1.0.1', port: 80 };
const b = { ip: '127.1.0.2', port: 80 };
const c = { ip: '127.1.0.3', port: 80 };

function picks(picker: EndpointPicker, n: number, exclude?: Set<string>): string[] {
  return Array.from({ length: n }, () => {
    const e = picker.pick(exclude);
    return e ? e.ip : '-';
  });
}

describe('EndpointPicker', () => {
  it('goes round-robin over the endpoints', () => {
    const picker = new EndpointPicker();
    picker.setEndpoints([c, a, b]);
    expect(picks(picker, 6)).toEqual(['127.1.0.1', '127.1.0.2', '127.1.0.3', '127.1.0.1', '127.1.0.2', '127.1.0.3']);
  });

  it('has nothing to pick when empty or everything is excluded', () => {
    const picker = new EndpointPicker();
    expect(picker.pick()).toBeUndefined();
    picker.setEndpoints([a]);
    expect(picker.pick(new Set([endpointKey(a)]))).toBeUndefined();
  });

  it('never returns an endpoint removed from the set', () => {
    const picker = new EndpointPicker();
    picker.setEndpoints([a, b, c]);
    picker.pick();
    picker.setEndpoints([a, c]);
    expect(picks(picker, 4)).not.toContain('127.1.0.2');
  });

  it('passes over an endpoint that just refused while others remain', () => {
    const picker = new EndpointPicker({ failureCooldownMs: 60_000 });
    picker.setEndpoints([a, b]);
    picker.reportConnectFailure(a);
    expect(picks(picker, 3)).toEqual(['127.1.0.2', '127.1.0.2', '127.1.0.2']);
    expect(picker.pick(new Set([endpointKey(b)]))).toEqual(a);
    picker.reportConnectSuccess(a);
    expect(new Set(picks(picker, 2))).toEqual(new Set(['127.1.0.1', '127.1.0.2']));
  });

  it('drops duplicates', () => {
    const picker = new EndpointPicker();
    picker.setEndpoints([a, a, b]);
    expect(picker.size).toBe(2);
  });
});
