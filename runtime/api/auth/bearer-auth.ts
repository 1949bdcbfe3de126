import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { unauthorized } from '../../errors/status-error.js';
import { sendStatus } from '../send-status.js';

/** Rejects every request without `Authorization: Bearer <token>` with a 401 Status. */
export function bearerAuth(token: string) {
  const expected = Buffer.from(token);
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const given = Buffer.from(match ? match[1].trim() : '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      next();
      return;
    }
    sendStatus(res, unauthorized());
  };
}
