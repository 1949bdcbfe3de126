import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Compares a secret the client sent with the configured one without leaking,
 * through timing, how much of it matched or how long it is: both sides are
 * hashed first, so timingSafeEqual always gets two 32-byte buffers.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * Checks GitHub's `X-Hub-Signature-256: sha256=<hex>` against an HMAC-SHA256
 * of the raw body as received: re-serialized JSON would not match byte for byte.
 */
export function githubSignatureValid(rawBody: Buffer, header: string, secret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`, 'utf8');
  const given = Buffer.from(header.trim(), 'utf8');
  // The expected length is fixed (71 bytes), so this early return reveals nothing secret.
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}
