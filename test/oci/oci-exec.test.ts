import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createServer, type AddressInfo } from 'node:net';
import { Attach, Exec, KubeConfig, PortForward, type V1Status } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../runtime/kube/object.js';
import { BUSYBOX } from '../support/oci-busybox-layer.js';
import { buildImage, pushImage, startRegistry, type LocalRegistry } from '../support/oci-registry.js';
import { startOciRuntime, type OciRuntime } from '../support/oci-runtime.js';

let registry: LocalRegistry;
let rt: OciRuntime;
let work: string;

const WEB_CMD = ['sh', '-c', 'mkdir -p /www && echo hello-from-pod > /www/index.html && exec httpd -f -p 8080 -h /www'];
const ready = (p: KubeObject) => p.status?.phase === 'Running' && (p.status?.containerStatuses ?? []).every((c: any) => c.ready);

interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** The real kubectl with stdin fed from `input`; resolves with its exit code and output whatever the code. */
function kubectl(args: string[], input?: Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile('kubectl', ['--kubeconfig', rt.runtime.kubeconfigPath, '-n', rt.namespace, ...args], { timeout: 60_000, encoding: 'buffer', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      if (code === -1) reject(err);
      else resolve({ code, stdout, stderr: stderr.toString() });
    });
    child.stdin!.end(input);
  });
}

/** A raw exec request: the HTTP code and Status of a refused upgrade, or 101 and the Status on the error channel. */
async function refusal(path: string, withToken: boolean): Promise<{ code: number; body: unknown }> {
  const kc = new KubeConfig();
  kc.loadFromFile(rt.runtime.kubeconfigPath);
  const cluster = kc.getCurrentCluster()!;
  const headers: Record<string, string> = withToken ? { Authorization: `Bearer ${kc.getCurrentUser()!.token}` } : {};
  const ws = new WebSocket(`${cluster.server.replace(/^https/, 'wss')}${path}`, ['v5.channel.k8s.io'], { headers, ca: Buffer.from(cluster.caData!, 'base64') });
  return new Promise((resolve) => {
    ws.on('message', (data: Buffer) => {
      if (data[0] === 3) resolve({ code: 101, body: JSON.parse(data.subarray(1).toString()) });
    });
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}

/** An accepted exec WebSocket: what arrived on stdout so far, and the Status on the error channel. */
async function openExec(path: string): Promise<{ ws: WebSocket; output: () => string; status: Promise<unknown> }> {
  const kc = new KubeConfig();
  kc.loadFromFile(rt.runtime.kubeconfigPath);
  const cluster = kc.getCurrentCluster()!;
  const ws = new WebSocket(`${cluster.server.replace(/^https/, 'wss')}${path}`, ['v5.channel.k8s.io'], {
    headers: { Authorization: `Bearer ${kc.getCurrentUser()!.token}` },
    ca: Buffer.from(cluster.caData!, 'base64'),
  });
  let out = '';
  const status = new Promise((resolve) => {
    ws.on('message', (data: Buffer) => {
      if (data[0] === 1) out += data.subarray(1).toString();
      if (data[0] === 3) resolve(JSON.parse(data.subarray(1).toString()));
    });
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, output: () => out, status };
}

beforeAll(async () => {
  registry = await startRegistry();
  await pushImage(registry, 'team/web:v1', buildImage({ cmd: WEB_CMD }));
  rt = await startOciRuntime();
  work = await mkdtemp(join(tmpdir(), 'baton-exec-'));
  await rt.createPod('web', {
    containers: [{ name: 'web', image: `${registry.host}/team/web:v1`, ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 } }],
    terminationGracePeriodSeconds: 1,
  });
  // A host-program pod beside it: exec and port-forward go through the process driver.
  await rt.createPod('proc', {
    runtimeClassName: 'process',
    terminationGracePeriodSeconds: 1,
    containers: [{
      name: 'web',
      image: 'host',
      command: [BUSYBOX, 'sh', '-c', `mkdir -p /tmp/www && echo hello-from-process > /tmp/www/index.html && exec ${BUSYBOX} httpd -f -p 8080 -h /tmp/www`],
      ports: [{ containerPort: 8080 }],
      readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
    }],
  });
  await rt.waitForPod('web', 'ready', ready);
  await rt.waitForPod('proc', 'ready', ready);
}, 120_000);

afterAll(async () => {
  await rt?.close();
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('kubectl exec, cp, attach and port-forward against image pods', () => {
  it('exec gives stdout, stderr and the exit code apart', async () => {
    const run = await kubectl(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(run.stdout.toString()).toBe('out\n');
    expect(run.stderr).toContain('err\n');
    expect(run.code).toBe(3);
    expect((await kubectl(['exec', 'web', '--', 'true'])).code).toBe(0);
  });

  it('exec -i round-trips stdin byte for byte', async () => {
    const input = randomBytes(256 * 1024);
    const run = await kubectl(['exec', '-i', 'web', '--', 'cat'], input);
    expect(run.code).toBe(0);
    expect(Buffer.compare(run.stdout, input)).toBe(0);
  });

  it('cp copies a file into the pod and back out unchanged', async () => {
    // 20 MiB: more than the pipe to tar holds, so the client is held back while tar writes.
    const original = randomBytes(20 << 20);
    await writeFile(join(work, 'in.bin'), original);
    const into = await kubectl(['cp', join(work, 'in.bin'), 'web:/tmp/copied.bin']);
    expect(into.stderr).toBe('');
    expect(into.code).toBe(0);
    const out = await kubectl(['cp', 'web:/tmp/copied.bin', join(work, 'out.bin')]);
    expect(out.code, out.stderr).toBe(0);
    expect(Buffer.compare(await readFile(join(work, 'out.bin')), original)).toBe(0);
  });

  it('lists the streaming subresources and answers a plain request to them as Kubernetes does', async () => {
    const discovery = JSON.parse((await kubectl(['get', '--raw', '/api/v1'])).stdout.toString()) as { resources: Array<{ name: string; verbs: string[] }> };
    for (const sub of ['exec', 'attach', 'portforward']) expect(discovery.resources.find((r) => r.name === `pods/${sub}`)?.verbs).toEqual(['create', 'get']);
    const plain = await kubectl(['get', '--raw', `/api/v1/namespaces/${rt.namespace}/pods/web/exec?command=true`]);
    expect(plain.stderr).toMatch(/Upgrade request required/);
    const missing = await kubectl(['get', '--raw', `/api/v1/namespaces/${rt.namespace}/pods/nope/exec?command=true`]);
    expect(missing.stderr).toMatch(/NotFound|not found/);
  });

  it('refuses an unknown container and a missing token with a Status message', async () => {
    expect((await refusal(`/api/v1/namespaces/${rt.namespace}/pods/web/exec?command=true&stdout=true`, false)).code).toBe(401);
    const unknown = await kubectl(['exec', 'web', '-c', 'nope', '--', 'true']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/container nope is not valid for pod web/);
  });

  it('exec -t runs the command on a terminal that follows resizes', async () => {
    // kubectl drops -t when its stdin is no terminal, so the TTY is asked for directly.
    const { ws, output, status } = await openExec(`/api/v1/namespaces/${rt.namespace}/pods/web/exec?command=sh&stdin=true&stdout=true&tty=true`);
    const stdin = (text: string) => ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(text)]));
    ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: 101, Height: 33 }))]));
    // The resize reaches the terminal asynchronously: ask until it shows.
    for (let i = 0; i < 50 && !output().includes('size:33 101'); i++) {
      stdin('echo "size:$(stty size)"\n');
      await new Promise((r) => setTimeout(r, 100));
    }
    stdin('test -t 0 && echo "on a terminal"; exit 6\n');
    expect(await status).toMatchObject({ reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '6' }] } });
    expect(output()).toContain('size:33 101');
    expect(output()).toContain('on a terminal');
    // The real kubectl, given a terminal by script(1).
    const quoted = ['kubectl', '--kubeconfig', rt.runtime.kubeconfigPath, '-n', rt.namespace, 'exec', '-ti', 'web', '--', 'sh', '-c', 'test -t 0 && echo kubectl-on-a-terminal; exit 4'].map((a) => `'${a}'`).join(' ');
    const viaKubectl = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('script', ['-q', '-e', '-c', quoted, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(viaKubectl.out).toContain('kubectl-on-a-terminal');
    expect(viaKubectl.code).toBe(4);
    // A host-program pod: the process driver's nsenter on the same kind of terminal.
    const proc = await openExec(`/api/v1/namespaces/${rt.namespace}/pods/proc/exec?command=${BUSYBOX}&command=sh&stdin=true&stdout=true&tty=true`);
    proc.ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: 90, Height: 20 }))]));
    for (let i = 0; i < 50 && !proc.output().includes('size:20 90'); i++) {
      proc.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(`echo "size:$(${BUSYBOX} stty size)"\n`)]));
      await new Promise((r) => setTimeout(r, 100));
    }
    proc.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('exit 7\n')]));
    expect(await proc.status).toMatchObject({ reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '7' }] } });
    expect(proc.output()).toContain('size:20 90');
  });

  it('client-node PortForward reaches the pod port through a local listener', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(rt.runtime.kubeconfigPath);
    const forward = new PortForward(kc);
    const server = createServer((socket) => void forward.portForward(rt.namespace, 'web', [8080], socket, null, socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000) });
      expect((await res.text()).trim()).toBe('hello-from-pod');
    } finally {
      server.close();
    }
  });

  it('kubectl port-forward (SPDY tunneled in a WebSocket, and plain SPDY) reaches the pod port', async () => {
    // 8 MiB: more than the forwarder queues before it pauses the pod's side.
    await kubectl(['exec', 'web', '--', 'sh', '-c', 'head -c 8388608 /dev/urandom > /www/big.bin']);
    const want = (await kubectl(['exec', 'web', '--', 'sha256sum', '/www/big.bin'])).stdout.toString().split(' ')[0];
    for (const websockets of ['true', 'false']) {
      const child = spawn('kubectl', ['--kubeconfig', rt.runtime.kubeconfigPath, '-n', rt.namespace, 'port-forward', '-v=6', 'pod/web', ':8080'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, KUBECTL_PORT_FORWARD_WEBSOCKETS: websockets },
      });
      let log = '';
      child.stderr.on('data', (d: Buffer) => (log += d.toString()));
      try {
        const port = await new Promise<number>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
          });
          child.once('exit', (code) => reject(new Error(`kubectl port-forward exited ${code}: ${out}`)));
        });
        for (let i = 0; i < 3; i++) {
          const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000), headers: { connection: 'close' } });
          expect((await res.text()).trim(), `KUBECTL_PORT_FORWARD_WEBSOCKETS=${websockets}`).toBe('hello-from-pod');
        }
        const big = Buffer.from(await (await fetch(`http://127.0.0.1:${port}/big.bin`, { signal: AbortSignal.timeout(30_000) })).arrayBuffer());
        expect(big.length).toBe(8388608);
        expect(createHash('sha256').update(big).digest('hex')).toBe(want);
        // With WebSockets on, kubectl must not have fallen back to plain SPDY.
        if (websockets === 'true') expect(log).not.toMatch(/fallback to secondary dialer/);
      } finally {
        child.kill();
      }
    }
  });

  it('exec and port-forward reach a host-program pod too', async () => {
    const run = await kubectl(['exec', '-i', 'proc', '--', BUSYBOX, 'sh', '-c', `${BUSYBOX} cat; echo err >&2; exit 2`], Buffer.from('through the process driver\n'));
    expect(run.stdout.toString()).toBe('through the process driver\n');
    expect(run.stderr).toContain('err\n');
    expect(run.code).toBe(2);
    const child = spawn('kubectl', ['--kubeconfig', rt.runtime.kubeconfigPath, '-n', rt.namespace, 'port-forward', 'pod/proc', ':8080'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.once('exit', (code) => reject(new Error(`kubectl port-forward exited ${code}: ${out}`)));
      });
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000) });
      expect((await res.text()).trim()).toBe('hello-from-process');
    } finally {
      child.kill();
    }
  });

  it('client-node Exec streams output and reports the exit code in the Status', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(rt.runtime.kubeconfigPath);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (d: Buffer) => chunks.push(d));
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc).exec(rt.namespace, 'web', 'web', ['sh', '-c', 'echo via-client-node; exit 5'], stdout, stderr, null, false, (s) => resolve(s)).catch(reject);
    });
    expect(Buffer.concat(chunks).toString()).toBe('via-client-node\n');
    expect(status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '5' }] } });
  });

  it('attach follows the container output from now on', async () => {
    const child = spawn('kubectl', ['--kubeconfig', rt.runtime.kubeconfigPath, '-n', rt.namespace, 'attach', 'web'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 1500));
      // httpd logs nothing; the exec writes to the container's own stdout (pid 1's fd 1).
      for (let i = 0; i < 20 && !out.includes('attached-line'); i++) {
        await kubectl(['exec', 'web', '--', 'sh', '-c', 'echo attached-line > /proc/1/fd/1']);
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(out).toContain('attached-line');
    } finally {
      child.kill();
    }
    // client-node's Attach speaks the same protocol.
    const kc = new KubeConfig();
    kc.loadFromFile(rt.runtime.kubeconfigPath);
    const stdout = new PassThrough();
    let seen = '';
    stdout.on('data', (d: Buffer) => (seen += d.toString()));
    const ws = await new Attach(kc).attach(rt.namespace, 'web', 'web', stdout, null, null, false);
    try {
      for (let i = 0; i < 20 && !seen.includes('client-node-line'); i++) {
        await kubectl(['exec', 'web', '--', 'sh', '-c', 'echo client-node-line > /proc/1/fd/1']);
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(seen).toContain('client-node-line');
    } finally {
      ws.close();
    }
  });
  // Last: it stops the runtime the other tests share.
  it('stopping the runtime ends open sessions instead of waiting for their clients', async () => {
    // An idle kubectl port-forward holds its tunnel open with no connection to the pod.
    const child = spawn('kubectl', ['--kubeconfig', rt.runtime.kubeconfigPath, '-n', rt.namespace, 'port-forward', 'pod/web', ':8080'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('Forwarding from') && resolve());
        child.once('exit', (code) => reject(new Error(`kubectl port-forward exited ${code}`)));
      });
      const stopped = await Promise.race([rt.runtime.close({ stopPods: true }).then(() => 'stopped'), new Promise((r) => setTimeout(() => r('still waiting'), 20_000))]);
      expect(stopped).toBe('stopped');
      await exited;
    } finally {
      child.kill();
    }
  }, 40_000);
});
