import { describe, expect, it } from 'vitest';
import { decodeHeaders, encodeHeaders, HeaderCodec } from '../../../../../../runtime/api/streaming/spdy/header-codec.js';
import { SPDY_DICTIONARY } from '../../../../../../runtime/api/streaming/spdy/spdy-dictionary.js';
import { controlFrame, dataFrame, FLAG_FIN, FrameReader, PING, SYN_REPLY } from '../../../../../../runtime/api/streaming/spdy/spdy-frames.js';

describe('SPDY/3.1 frames', () => {
  it('has the 1423-byte header dictionary of the SPDY/3 draft', () => {
    expect(SPDY_DICTIONARY.length).toBe(1423);
    expect(SPDY_DICTIONARY.subarray(0, 11).toString('latin1')).toBe('\0\0\0\x07options');
    expect(SPDY_DICTIONARY.subarray(-8).toString('latin1')).toBe('*,enq=0.');
  });

  const frames = [
    { name: 'data with FIN', bytes: dataFrame(7, FLAG_FIN, Buffer.from('hello')), want: { control: false, streamId: 7, flags: FLAG_FIN, data: Buffer.from('hello') } },
    { name: 'empty data', bytes: dataFrame(3, 0, Buffer.alloc(0)), want: { control: false, streamId: 3, flags: 0, data: Buffer.alloc(0) } },
    { name: 'ping', bytes: controlFrame(PING, 0, Buffer.from([0, 0, 0, 1])), want: { control: true, type: PING, flags: 0, payload: Buffer.from([0, 0, 0, 1]) } },
  ];
  for (const { name, bytes, want } of frames) {
    it(`reads ${name} whole and cut into one-byte pieces`, () => {
      expect(new FrameReader().push(bytes)).toEqual([want]);
      const reader = new FrameReader();
      const got = [...bytes].flatMap((b) => reader.push(Buffer.from([b])));
      expect(got).toEqual([want]);
    });
  }

  it('marks control frames with version 3', () => {
    expect(controlFrame(SYN_REPLY, 0, Buffer.alloc(4)).subarray(0, 4)).toEqual(Buffer.from([0x80, 0x03, 0x00, 0x02]));
  });

  it('encodes header blocks and keeps one compression context across blocks', async () => {
    const headers = { streamtype: 'data', port: '8080', requestid: '0' };
    expect(Object.fromEntries(decodeHeaders(encodeHeaders(headers)))).toEqual(headers);
    const sender = new HeaderCodec();
    const receiver = new HeaderCodec();
    // The second block only decodes with the state the first one left behind.
    const first = await sender.write(headers);
    const second = await sender.write({ ...headers, streamtype: 'error' });
    expect(Object.fromEntries(await receiver.read(first))).toEqual(headers);
    expect(Object.fromEntries(await receiver.read(second))).toEqual({ ...headers, streamtype: 'error' });
    sender.close();
    receiver.close();
  });
});
