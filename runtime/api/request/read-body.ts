import type { Request } from 'express';
import { badRequest, tooLarge } from '../../errors/status-error.js';

/** The Kubernetes API server's own limit is 3 MiB per request body. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * Reads the whole request body, failing with 413 as soon as it passes the
 * limit (the rest is drained so the connection stays usable).
 */
export function readBody(req: Request, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  // Plain events: an async iterator over the request costs more than the small bodies it reads.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    let ended = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    req.once('end', () => {
      ended = true;
      if (over) reject(tooLarge(limit));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.once('error', (err) => reject(badRequest(`failed to read the request body: ${err.message}`)));
    req.once('close', () => {
      if (!ended) reject(badRequest('failed to read the request body: the connection closed before its end'));
    });
  });
}
