import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { buildServedOpenApi, createApiApp, type PodLogProvider } from './api/index.js';
import { loadOrCreateServingCertificate } from './api/tls/serving-certificate.js';
import { startControllers } from './controllers/index.js';
import { openLocalCluster, type LocalCluster } from './store/index.js';

export interface RuntimeOptions {
  /**
   * Where the token, the kubeconfig and the object store live.
   * @defaultValue '.baton'
   */
  stateDir?: string;
  /**
   * TCP port of the Kubernetes API; 0 picks a free one.
   * @defaultValue 7071
   */
  port?: number;
  /**
   * Address to listen on. Keep it on loopback: the API is admin access to the runtime.
   * @defaultValue '127.0.0.1'
   */
  host?: string;
  /**
   * Reads container logs for `kubectl logs`; absent until pods run, and then the API answers 404.
   * @defaultValue undefined
   */
  logs?: PodLogProvider;
  /**
   * Run the deployment, replicaset and endpoints controllers in this process.
   * @defaultValue true
   */
  controllers?: boolean;
}

export interface RunningRuntime {
  /** Base URL of the API, e.g. `https://127.0.0.1:7071`. */
  url: string;
  /** PEM of the self-signed serving certificate: the CA to trust for `url` (kubeconfig carries it too). */
  caCertificate: string;
  /** Bearer token accepted by the API (also in `kubeconfig`). */
  token: string;
  kubeconfigPath: string;
  /** The in-process store, for controllers running in the same process. */
  cluster: LocalCluster;
  /** Stops listening, ends open watches and closes the store. */
  close(): Promise<void>;
}

const TOKEN_FILE = 'runtime-token';

/** The token made on first start and reused after, so kubeconfigs stay valid across restarts. */
async function loadOrCreateToken(stateDir: string): Promise<string> {
  const file = join(stateDir, TOKEN_FILE);
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token) return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(32).toString('hex');
  await writeAtomically(file, `${token}\n`);
  return token;
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  await rename(tmp, file);
}

export function kubeconfigYaml(url: string, token: string, caPem: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'baton', cluster: { server: url, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'baton', user: { token } }],
    contexts: [{ name: 'baton', context: { cluster: 'baton', user: 'baton' } }],
    'current-context': 'baton',
    preferences: {},
  });
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolvePromise, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolvePromise(server.address() as AddressInfo);
    });
  });
}

/**
 * Starts the built-in runtime: opens the object store in the state dir,
 * serves the Kubernetes API over HTTPS (kubectl sends tokens only over TLS)
 * with a bearer token, and writes
 * `kubeconfig` (cluster, user and context all named `baton`).
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<RunningRuntime> {
  const stateDir = resolve(options.stateDir ?? '.baton');
  const host = options.host ?? '127.0.0.1';
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const token = await loadOrCreateToken(stateDir);
  const cluster = await openLocalCluster({ stateDir: join(stateDir, 'runtime') });
  const app = createApiApp({ cluster, openapi: buildServedOpenApi(), token, logs: options.logs });
  const tls = await loadOrCreateServingCertificate(stateDir, host);
  const server = createServer({ cert: tls.cert, key: tls.key }, app);
  // Watches and log streams stay open for a long time; node's default request timeout would cut them.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  let address: AddressInfo;
  try {
    address = await listen(server, options.port ?? 7071, host);
  } catch (err) {
    await cluster.close();
    throw err;
  }
  let controllers: { stop(): Promise<void> } | undefined;
  try {
    if (options.controllers ?? true) controllers = await startControllers({ cluster });
  } catch (err) {
    server.close();
    await cluster.close();
    throw err;
  }
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `https://${shownHost}:${address.port}`;
  const kubeconfigPath = join(stateDir, 'kubeconfig');
  await writeAtomically(kubeconfigPath, kubeconfigYaml(url, token, tls.cert));

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await controllers?.stop();
      await cluster.close();
    })());
  return { url, token, caCertificate: tls.cert, kubeconfigPath, cluster, close };
}
