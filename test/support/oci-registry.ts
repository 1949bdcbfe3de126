import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { stringify } from 'yaml';
import { freePort } from './free-port.js';
import { machineHas, missingToolsMessage } from './oci-machine-has.js';
import { registryRequest, type RegistryEndpoint } from './oci-registry-request.js';
import { makeTestCertificates } from './oci-tls.js';

export * from './oci-archives.js';
export * from './oci-image-builder.js';
export * from './oci-machine-has.js';
export * from './oci-push-image.js';
export * from './oci-registry-request.js';

export interface StartRegistryOptions {
  /** Require HTTP basic auth (htpasswd, realm `baton-test`) with this user. @defaultValue no auth */
  auth?: { username: string; password: string };
  /** Serve https with a fresh self-signed CA; see LocalRegistry.caPem. @defaultValue false */
  tls?: boolean;
}

export interface LocalRegistry extends RegistryEndpoint {
  /** `127.0.0.1:PORT`, the registry part of an image reference. */
  host: string;
  /** `http://127.0.0.1:PORT`, or `https://` with `tls`. */
  url: string;
  /** PEM of the CA that signed the server certificate (with `tls`). */
  caPem?: string;
  /** The same CA as `<dir>/ca/ca.crt`, alone in its directory so `dirname(caFile)` serves as skopeo's `--cert-dir`; deleted by stop(). */
  caFile?: string;
  /** Directory holding config, storage and certificates; deleted by stop(). */
  dir: string;
  /** Kills the registry and deletes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;

/**
 * Starts Debian's docker-registry (distribution v2.8) on a free loopback port
 * with filesystem storage in a fresh temp dir, deletes enabled. Use it as
 *   let registry: LocalRegistry;
 *   beforeAll(async () => { registry = await startRegistry(); });
 *   afterAll(() => registry?.stop());
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<LocalRegistry> {
  const missing = machineHas(['docker-registry']);
  if (missing.length > 0) throw new Error(missingToolsMessage(missing));
  const dir = await mkdtemp(join(tmpdir(), 'baton-registry-'));
  try {
    const config: Record<string, any> = {
      version: 0.1,
      log: { level: 'warn', accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: join(dir, 'data') },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: false } },
      },
      // A fixed secret avoids the "No HTTP secret provided" warning on each start.
      http: { addr: '', secret: randomBytes(16).toString('hex'), headers: { 'X-Content-Type-Options': ['nosniff'] } },
      health: { storagedriver: { enabled: false } },
    };
    let caPem: string | undefined;
    let caFile: string | undefined;
    if (options.auth) {
      // Cost 4 (the minimum Go accepts): the registry checks the hash on every request.
      const hash = bcrypt.hashSync(options.auth.password, bcrypt.genSaltSync(4));
      await writeFile(join(dir, 'htpasswd'), `${options.auth.username}:${hash}\n`);
      config.auth = { htpasswd: { realm: 'baton-test', path: join(dir, 'htpasswd') } };
    }
    if (options.tls) {
      const certs = makeTestCertificates();
      caPem = certs.caPem;
      // The CA sits alone in its directory: skopeo's --cert-dir reads any *.key there as a client key.
      await mkdir(join(dir, 'ca'));
      caFile = join(dir, 'ca', 'ca.crt');
      await writeFile(caFile, certs.caPem);
      await writeFile(join(dir, 'server.crt'), certs.certPem);
      await writeFile(join(dir, 'server.key'), certs.keyPem, { mode: 0o600 });
      config.http.tls = { certificate: join(dir, 'server.crt'), key: join(dir, 'server.key') };
    }
    // Another process may take the port between our probe and the registry's bind: retry.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      config.http.addr = `127.0.0.1:${port}`;
      const configFile = join(dir, 'config.yml');
      await writeFile(configFile, stringify(config));
      const host = `127.0.0.1:${port}`;
      const url = `${options.tls ? 'https' : 'http'}://${host}`;
      const { child, output } = spawnRegistry(configFile);
      live.set(child, dir);
      const stop = async () => {
        await killChild(child);
        live.delete(child);
        await rm(dir, { recursive: true, force: true });
      };
      try {
        await waitReady({ url, caPem }, child, output);
        return { host, url, caPem, caFile, dir, stop };
      } catch (err) {
        await killChild(child);
        live.delete(child);
        if (attempt >= 3 || !/address already in use/.test(String(err))) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function spawnRegistry(configFile: string): { child: ChildProcess; output: () => string } {
  // REGISTRY_* variables override the config file; none of the caller's may leak in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
  // setpriv's parent-death signal kills the registry even if the test worker is SIGKILLed.
  const [cmd, args] = machineHas(['setpriv']).length === 0
    ? ['setpriv', ['--pdeathsig', 'KILL', '--', 'docker-registry', 'serve', configFile]]
    : ['docker-registry', ['serve', configFile]];
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => chunks.push(c));
  child.stderr?.on('data', (c: Buffer) => chunks.push(c));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const [c, d] of live) {
        c.kill('SIGKILL');
        rmSync(d, { recursive: true, force: true });
      }
    });
  }
  return { child, output: () => Buffer.concat(chunks).toString('utf8').trim().slice(-2000) };
}

async function waitReady(registry: RegistryEndpoint, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode}): ${output()}`);
    }
    try {
      const res = await registryRequest(registry, 'GET', '/v2/');
      if (res.status === 200 || res.status === 401) return;
      lastError = `GET /v2/ answered ${res.status}`;
    } catch (err) {
      lastError = String(err);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer GET ${registry.url}/v2/ within 20s (${lastError}): ${output()}`);
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

