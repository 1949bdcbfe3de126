import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialTcp, dialUntilListening } from '../../runtime/kubelet/tcp-dialer.js';

// tcpSocket probes connect on the dialer's thread. With 1,000 pods a batch of
// dials keeps that thread busy past a probe's timeout, and Node runs expired
// timers before it polls for connections the kernel has long completed: each
// such probe failed with "i/o timeout", and three in a row took a Ready pod
// out of its Service (issue: Ready pods dropping at 1,000 process pods).
describe('tcp dialer', () => {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  let port = 0;

  beforeAll(async () => {
    // A deep accept queue: every handshake completes in the kernel while the dials are made.
    server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    server.close();
    await once(server, 'close');
  });

  it('reports a connection the kernel completed as connected, even when the thread saw it after the deadline', async () => {
    // One batch (all dials of one turn go as one message): making 400 sockets takes the thread far longer than 1 ms.
    const outcomes = await Promise.all(Array.from({ length: 400 }, () => dialTcp('127.0.0.1', port, 1)));
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
  });

  it('still times out a connection the kernel never completes', async () => {
    // A server that never accepts (stopped) with a queue of one: once it is full, the kernel drops further handshakes.
    const child = spawn(process.execPath, ['-e', "require('net').createServer().listen({ host: '127.0.0.1', port: 0, backlog: 1 }, function () { console.log(this.address().port) })"], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const fillers: Socket[] = [];
    try {
      const [line] = (await once(child.stdout!, 'data')) as [Buffer];
      const stalled = Number(String(line).trim());
      child.kill('SIGSTOP');
      for (let i = 0; i < 4; i++) fillers.push(connect(stalled, '127.0.0.1').on('error', () => undefined));
      await Promise.all(fillers.slice(0, 2).map((s) => once(s, 'connect')));
      const outcome = await dialTcp('127.0.0.1', stalled, 300);
      expect(outcome).toEqual({ ok: false, error: 'i/o timeout' });
    } finally {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
    }
  });

  it('still fails a port where nothing listens', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const free = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const outcome = await dialTcp('127.0.0.1', free, 1000);
    expect(outcome).toEqual({ ok: false, error: expect.stringContaining('ECONNREFUSED') });
  });

  it('waits on its thread for a server that starts listening later, and gives up at the deadline or when cancelled', async () => {
    const late = createServer();
    late.listen(0, '127.0.0.1');
    await once(late, 'listening');
    const free = (late.address() as AddressInfo).port;
    late.close();
    await once(late, 'close');
    const waited = dialUntilListening('127.0.0.1', free, 1000, Date.now() + 10_000);
    await new Promise((r) => setTimeout(r, 300));
    late.listen(free, '127.0.0.1');
    await once(late, 'listening');
    try {
      expect(await waited.outcome).toEqual({ ok: true });
    } finally {
      late.close();
    }
    const refused = await dialUntilListening('127.0.0.1', free, 1000, Date.now() + 400).outcome;
    expect(refused).toEqual({ ok: false, error: expect.stringContaining('ECONNREFUSED') });
    const cancelled = dialUntilListening('127.0.0.1', free, 1000, Date.now() + 60_000);
    cancelled.cancel();
    expect(await cancelled.outcome).toEqual({ ok: false, error: expect.stringContaining('ECONNREFUSED') });
  });
});
