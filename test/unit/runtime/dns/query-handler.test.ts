import { decode, encode, type DecodedPacket, type Packet } from 'dns-packet';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DnsTable } from '../../../../runtime/dns/dns-table.js';
import { Forwarder } from '../../../../runtime/dns/forwarder.js';
import { QueryHandler } from '../../../../runtime/dns/query-handler.js';

const handler = new QueryHandler({ snapshot: new DnsTable(), zone: 'cluster.local', forwarder: new Forwarder({ upstreams: [] }), logger: pino({ level: 'silent' }) });

/** dns-packet decodes the rcode, though its types do not say so. */
type Decoded = DecodedPacket & { rcode: string };

async function ask(packet: Packet | Buffer): Promise<Decoded | undefined> {
  const response = await handler.handle(Buffer.isBuffer(packet) ? packet : encode(packet), 'udp');
  return response && (decode(response) as Decoded);
}

const question = { type: 'A' as const, name: 'x.cluster.local', class: 'IN' as const };

describe('QueryHandler', () => {
  it('answers a cluster name authoritatively, copying RD and offering recursion', async () => {
    const r = await ask({ type: 'query', id: 9, flags: 0x100, questions: [question] });
    expect(r && [r.id, r.rcode, r.flag_aa, r.flag_rd, r.flag_ra, r.questions]).toEqual([9, 'NXDOMAIN', true, true, true, [question]]);
  });

  it('echoes EDNS with its own payload size', async () => {
    const opt = { type: 'OPT' as const, name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
    const r = await ask({ type: 'query', id: 1, questions: [question], additionals: [opt] });
    expect(r?.additionals?.map((a) => [a.type, (a as { udpPayloadSize?: number }).udpPayloadSize])).toEqual([['OPT', 1232]]);
  });

  it('answers SERVFAIL for a name it would forward when there is no upstream', async () => {
    expect((await ask({ type: 'query', id: 2, questions: [{ type: 'A', name: 'example.com', class: 'IN' }] }))?.rcode).toBe('SERVFAIL');
  });

  it('answers NOTIMP to other opcodes and FORMERR to several questions or garbage', async () => {
    expect((await ask({ type: 'query', id: 3, flags: 2 << 11, questions: [question] }))?.rcode).toBe('NOTIMP');
    expect((await ask({ type: 'query', id: 4, questions: [question, question] }))?.rcode).toBe('FORMERR');
    const garbage = Buffer.concat([encode({ type: 'query', id: 5, questions: [] }).subarray(0, 4), Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 63])]);
    const r = await ask(garbage);
    expect([r?.id, r?.rcode]).toEqual([5, 'FORMERR']);
  });

  it('ignores responses and runts', async () => {
    expect(await ask({ type: 'response', id: 6, questions: [question] })).toBeUndefined();
    expect(await ask(Buffer.from([1, 2, 3]))).toBeUndefined();
  });
});
