import { encode, TRUNCATED_RESPONSE, type Packet } from 'dns-packet';

/** The classic limit of a DNS message over UDP without EDNS (RFC 1035 4.2.1). */
export const UDP_MESSAGE_LIMIT = 512;

/**
 * Encodes a response so it fits `limit` bytes: as it is; else without the
 * additional section (keeping the OPT record), which RFC 2181 9 allows
 * without truncation; else empty with the TC bit, so the client asks again
 * over TCP.
 */
export function encodeWithin(packet: Packet, limit: number): Buffer {
  const whole = encode(packet);
  if (whole.length <= limit) return whole;
  const opt = (packet.additionals ?? []).filter((a) => a.type === 'OPT');
  const lean = encode({ ...packet, additionals: opt });
  if (lean.length <= limit) return lean;
  return encode({ ...packet, flags: (packet.flags ?? 0) | TRUNCATED_RESPONSE, answers: [], authorities: [], additionals: opt });
}
