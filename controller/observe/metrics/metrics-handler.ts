import type { Request, RequestHandler, Response } from 'express';
import type { Registry } from 'prom-client';

/** `GET /metrics`: the registry in Prometheus text exposition format. */
export function metricsHandler(registry: Registry): RequestHandler {
  return async (_req: Request, res: Response) => {
    try {
      const body = await registry.metrics();
      res.status(200).type(registry.contentType).send(body);
    } catch (err) {
      res.status(500).type('text/plain').send(`cannot collect metrics: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  };
}
