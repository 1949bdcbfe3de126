import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { serverClassesFor } from '../../../../runtime/api/server-classes.js';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('serverClassesFor', () => {
  it('makes requests that express serves without swapping their prototypes', async () => {
    const app = express();
    const classes = serverClassesFor(app);
    const seen: { request: boolean; response: boolean }[] = [];
    // Before express sees them: already its own request and response, so its prototype swap changes nothing.
    const arrived: boolean[] = [];
    app.use((req, res, next) => {
      res.locals.who = 'admin';
      next();
    });
    app.get('/items/:name', (req, res) => {
      seen.push({ request: req instanceof classes.IncomingMessage, response: res instanceof classes.ServerResponse });
      res.status(201).json({ path: req.path, name: req.params.name, query: req.query, who: res.locals.who });
    });
    const server = createServer(classes, app);
    server.prependListener('request', (req, res) => arrived.push(Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await get(port, '/items/a?x=1');
      expect(answer.status).toBe(201);
      expect(JSON.parse(answer.body)).toEqual({ path: '/items/a', name: 'a', query: { x: '1' }, who: 'admin' });
      expect(arrived).toEqual([true]);
      expect(seen).toEqual([{ request: true, response: true }]);
      expect(serverClassesFor(app)).toBe(classes);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
