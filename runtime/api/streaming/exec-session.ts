import type { Readable, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { PodExecStreams } from '../handlers/api-context.js';
import { CLOSE, ERROR, frame, RESIZE, STDERR, STDIN, STDOUT } from './channel-protocol.js';
import { exitStatus } from './exit-status.js';

/** Above this many unsent bytes the command's output waits for the client. */
const HIGH_WATER = 1 << 20;

/** Sends a stream's chunks on a channel, pausing it while the socket is backed up. */
export function pump(ws: WebSocket, source: Readable, channel: number | undefined): void {
  source.on('data', (chunk: Buffer) => {
    if (channel === undefined || ws.readyState !== ws.OPEN) return;
    // Resume once this chunk is out (every message needs its channel byte: no empty marker messages).
    const backedUp = ws.bufferedAmount > HIGH_WATER;
    if (backedUp) source.pause();
    ws.send(frame(channel, chunk), backedUp ? () => source.resume() : undefined);
  });
}

/** Channel 4 carries `{"Width": columns, "Height": rows}`. */
function resize(exec: PodExecStreams, body: Buffer): void {
  try {
    const { Width, Height } = JSON.parse(body.toString()) as { Width?: unknown; Height?: unknown };
    if (Number.isInteger(Width) && Number.isInteger(Height) && (Width as number) > 0 && (Height as number) > 0) exec.resize!(Width as number, Height as number);
  } catch {
    // A malformed resize is ignored, as the kubelet does.
  }
}

/**
 * Channel 0 into `stdin` (attach -i), held back while it is full; v5's close
 * signal ends it. A container gone meanwhile (EPIPE) just ends the relay.
 */
export function relayStdin(ws: WebSocket, stdin: Writable): void {
  stdin.on('error', () => undefined);
  ws.on('message', (data: Buffer) => {
    if (data.length === 0 || stdin.writableEnded) return;
    if (data[0] === STDIN) {
      if (!stdin.write(data.subarray(1))) {
        ws.pause();
        stdin.once('drain', () => ws.resume());
      }
    } else if (data[0] === CLOSE && data[1] === STDIN) {
      stdin.end();
    }
  });
}

export interface ExecSessionOptions {
  command: string[];
  stdout: boolean;
  stderr: boolean;
}

/**
 * One `pods/{name}/exec` over an upgraded WebSocket: stdin from channel 0
 * (ended by v5's close signal), output on 1 and 2, and the exit as a Status on
 * channel 3, after which the socket closes. A client that goes away kills the command.
 */
export function runExecSession(ws: WebSocket, exec: PodExecStreams, options: ExecSessionOptions): void {
  let ended = false;
  pump(ws, exec.stdout, options.stdout ? STDOUT : undefined);
  pump(ws, exec.stderr, options.stderr ? STDERR : undefined);
  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    if (data[0] === STDIN) {
      // A command that reads slower than the client sends (kubectl cp into a pod) holds the client back.
      if (exec.stdin && !exec.stdin.write(data.subarray(1))) {
        ws.pause();
        exec.stdin.once('drain', () => ws.resume());
      }
    } else if (data[0] === CLOSE && data[1] === STDIN) {
      exec.stdin?.end();
    } else if (data[0] === RESIZE && exec.resize) {
      resize(exec, data.subarray(1));
    }
  });
  ws.on('close', () => {
    if (!ended) exec.kill();
  });
  void exec.exited.then((code) => {
    ended = true;
    if (ws.readyState !== ws.OPEN) return;
    ws.send(frame(ERROR, JSON.stringify(exitStatus(options.command, code))));
    ws.close(1000);
  });
}
