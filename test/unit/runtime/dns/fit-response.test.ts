import { decode, type Answer, type Packet } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { encodeWithin } from '../../../../runtime/dns/fit-response.js';

const OPT: Answer = { type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };

function response(answers: number, additionals: number): Packet {
  const a = (i: number, name: string): Answer => ({ type: 'A', name, ttl: 5, class: 'IN', data: `10.0.${i >> 8}.${i & 255}` });
  return {
    type: 'response',
    id: 7,
    flags: 0,
    questions: [{ type: 'A', name: 'db.shop.svc.cluster.local', class: 'IN' }],
    answers: Array.from({ length: answers }, (_, i) => a(i, 'db.shop.svc.cluster.local')),
    additionals: [...Array.from({ length: additionals }, (_, i) => a(i, 'x.db.shop.svc.cluster.local')), OPT],
  };
}

describe('encodeWithin', () => {
  it('keeps a response that fits', () => {
    const out = decode(encodeWithin(response(3, 3), 512));
    expect([out.flag_tc, out.answers!.length, out.additionals!.length]).toEqual([false, 3, 4]);
  });

  it('drops the additional section before truncating, keeping OPT', () => {
    const out = decode(encodeWithin(response(10, 20), 512));
    expect([out.flag_tc, out.answers!.length, out.additionals!.map((a) => a.type)]).toEqual([false, 10, ['OPT']]);
  });

  it('sets TC and empties the answer when even that is too big', () => {
    const buf = encodeWithin(response(40, 0), 512);
    const out = decode(buf);
    expect(buf.length).toBeLessThanOrEqual(512);
    expect([out.id, out.flag_tc, out.answers!.length, out.questions!.length]).toEqual([7, true, 0, 1]);
  });

  it('fits a bigger EDNS limit', () => {
    expect(decode(encodeWithin(response(25, 0), 1232)).answers!.length).toBe(25);
  });
});
