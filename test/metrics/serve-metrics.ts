import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { metricsHandler } from '../../controller/observe/metrics/metrics-handler.js';
import type { BatonMetrics } from '../../controller/observe/metrics/baton-metrics.js';
import { parseExposition, type Family } from './parse-exposition.js';

/** `GET /metrics` on a loopback port, as the controller mounts it; `scrape()` fetches and parses it strictly. */
export async function serveMetrics(metrics: BatonMetrics): Promise<{ scrape(): Promise<Map<string, Family>>; close(): Promise<void> }> {
  const app = express();
  app.get('/metrics', metricsHandler(metrics.registry));
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    async scrape() {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
      if (!res.headers.get('content-type')?.startsWith('text/plain; version=0.0.4')) throw new Error(`content-type ${res.headers.get('content-type')}`);
      return parseExposition(await res.text());
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
