import { describe, expect, it } from 'vitest';
import { eventName } from '../../../../runtime/objects/record-event.js';

describe('eventName', () => {
  it("names events as client-go does, the object's name and the time in ns as hex", () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const [object, hex] = eventName('web-7d4b9').split('.');
    expect(object).toBe('web-7d4b9');
    expect(hex).toMatch(/^[0-9a-f]+$/);
    expect(BigInt(`0x${hex}`) >= before).toBe(true);
  });

  it('never gives two events the same name, however fast they come', () => {
    const names = Array.from({ length: 10_000 }, () => eventName('p'));
    expect(new Set(names).size).toBe(names.length);
  });
});
