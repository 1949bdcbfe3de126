import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runHandler, type ProbeTarget } from '../../../../runtime/kubelet/probe-runner.js';

/** A loopback server that answers with `reply` for every connection. */
async function listen(reply: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(reply);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

const target = (port: number): ProbeTarget => ({
  podIP: '127.0.0.1',
  container: { name: 'app', ports: [{ name: 'http', containerPort: port }] },
  handle: undefined as never,
  env: {},
  driver: undefined as never,
});

describe('httpGet probe timeout', () => {
  const sockets: Socket[] = [];
  let server: Server | undefined;
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('is a deadline for the whole answer: headers trickled in byte by byte still time out', async () => {
    const started = await listen((socket) => {
      sockets.push(socket);
      socket.on('data', () => {
        const answer = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Slow: ' + 'x'.repeat(30) + '\r\n\r\n';
        let i = 0;
        // One byte every 50 ms: never silent for the 500 ms timeout, done only after ~3 s.
        const timer = setInterval(() => {
          if (socket.destroyed || i >= answer.length) return clearInterval(timer);
          socket.write(answer[i++]);
        }, 50);
      });
    });
    server = started.server;
    const outcome = await runHandler({ httpGet: { port: 'http', path: '/healthz' } }, target(started.port), 500);
    expect(outcome).toEqual({ ok: false, message: expect.stringContaining('context deadline exceeded') });
  });

  it('passes an answer that comes in time, and names the status code of one that fails', async () => {
    const started = await listen((socket) => {
      sockets.push(socket);
      socket.on('data', (data) => {
        const code = data.toString().startsWith('GET /bad') ? '503 Service Unavailable' : '200 OK';
        socket.end(`HTTP/1.1 ${code}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`);
      });
    });
    server = started.server;
    expect(await runHandler({ httpGet: { port: started.port, path: '/ok' } }, target(started.port), 1000)).toEqual({ ok: true, message: '' });
    expect(await runHandler({ httpGet: { port: started.port, path: '/bad' } }, target(started.port), 1000)).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 503' });
  });
});
