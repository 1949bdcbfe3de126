import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import forge from 'node-forge';

export interface ServingCertificate {
  /** PEM; self-signed, so it is also the CA clients put in their kubeconfig. */
  cert: string;
  key: string;
}

const CERT_FILE = 'runtime-tls.crt';
const KEY_FILE = 'runtime-tls.key';

function altNames(host: string, extra: string[]): Array<{ type: number; value?: string; ip?: string }> {
  const names = new Set(['127.0.0.1', '::1', 'localhost', host, ...extra]);
  return [...names].map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n }));
}

function covers(pem: string, names: string[]): boolean {
  const cert = new X509Certificate(pem);
  const stillValid = Date.parse(cert.validTo) > Date.now() + 24 * 3600 * 1000;
  return stillValid && names.every((name) => (isIP(name) ? cert.checkIP(name) !== undefined : cert.checkHost(name) !== undefined));
}

function generate(host: string, extra: string[]): ServingCertificate {
  // node's keygen is fast; forge only builds and signs the certificate.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  cert.validity.notBefore = new Date(Date.now() - 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const subject = [{ name: 'commonName', value: 'baton-runtime' }, { name: 'organizationName', value: 'baton' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: altNames(host, extra) },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keyPem };
}

/**
 * kubectl sends a bearer token only over TLS, so the runtime serves HTTPS with
 * a self-signed certificate made on first start and kept in the state dir
 * (remade when it expires or no longer names the listen address or one of
 * `extraNames`: the `kubernetes` Service's ClusterIP and DNS names, the pod
 * network's gateway, which in-cluster clients connect to).
 */
export async function loadOrCreateServingCertificate(stateDir: string, host: string, extraNames: string[] = []): Promise<ServingCertificate> {
  const certFile = join(stateDir, CERT_FILE);
  const keyFile = join(stateDir, KEY_FILE);
  try {
    const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    if (covers(cert, [host, ...extraNames])) return { cert, key };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const made = generate(host, extraNames);
  for (const [file, content] of [[keyFile, made.key], [certFile, made.cert]] as const) {
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, content, { mode: 0o600 });
    await rename(tmp, file);
  }
  return made;
}
