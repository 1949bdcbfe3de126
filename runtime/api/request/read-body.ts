import type { Request } from 'express';
import { badRequest, tooLarge } from '../../errors/status-error.js';

/** The Kubernetes API server's own limit is 3 MiB per request body. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * Reads the whole request body, failing with 413 as soon as it passes the
 * limit (the rest is drained so the connection stays usable).
 */
export async function readBody(req: Request, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    }
  } catch (err) {
    throw badRequest(`failed to read the request body: ${(err as Error).message}`);
  }
  if (over) throw tooLarge(limit);
  return Buffer.concat(chunks);
}
