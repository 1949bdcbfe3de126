import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { unauthorized } from '../../errors/status-error.js';
import { sendStatus } from '../send-status.js';

/** Whether an `Authorization` header carries the bearer token (compared in constant time). */
export function carriesToken(header: string | undefined, token: string): boolean {
  const expected = Buffer.from(token);
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const given = Buffer.from(match ? match[1].trim() : '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Rejects every request without `Authorization: Bearer <token>` with a 401 Status. */
export function bearerAuth(token: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (carriesToken(req.headers.authorization, token)) {
      next();
      return;
    }
    sendStatus(res, unauthorized());
  };
}
