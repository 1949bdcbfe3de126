import { timingSafeEqual } from 'node:crypto';

/** Whether an `Authorization` header carries the bearer token (compared in constant time); the upgrade handler's check when it is given no AccessControl. */
export function carriesToken(header: string | undefined, token: string): boolean {
  const expected = Buffer.from(token);
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const given = Buffer.from(match ? match[1].trim() : '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
