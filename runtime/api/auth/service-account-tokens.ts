import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The issuer and audience of every token, as a kubeadm cluster has them (`--service-account-issuer`, `--api-audiences`). */
export const TOKEN_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** The tokens' default lifetime: TokenRequest's default, and what the kubelet asks for (rounded up from admission's 3607 s). */
export const DEFAULT_EXPIRATION_SECONDS = 3600;
const KEY_FILE = 'service-account.key';

/** The object a token is bound to (a Pod, or a Secret for the legacy kind, which is not served). */
export interface BoundObject {
  name: string;
  uid: string;
}

/** The `kubernetes.io` claim of a bound service account token. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: BoundObject;
  pod?: BoundObject;
  node?: BoundObject;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaim;
}

export interface IssueRequest {
  namespace: string;
  serviceAccount: BoundObject;
  pod?: BoundObject;
  node?: BoundObject;
  /** @defaultValue [TOKEN_ISSUER] */
  audiences?: string[];
  /** @defaultValue DEFAULT_EXPIRATION_SECONDS */
  expirationSeconds?: number;
}

/** Signs and checks the runtime's service account tokens (RS256 JWTs, as kube-apiserver's `--service-account-signing-key-file`). */
export interface ServiceAccountTokens {
  /** Signs on libuv's thread pool: an RSA signature costs the event loop a few ms, once per pod started. */
  issue(request: IssueRequest): Promise<{ token: string; claims: TokenClaims }>;
  /** The claims of a token this runtime signed that has not expired; undefined for anything else. */
  verify(token: string): TokenClaims | undefined;
}

const b64 = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/** kube-apiserver's key id: the SHA-256 of the public key's DER, base64url. */
function keyId(publicKey: KeyObject): string {
  return b64(createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest());
}

export function serviceAccountTokens(privateKey: KeyObject, now: () => number = Date.now): ServiceAccountTokens {
  const publicKey = createPublicKey(privateKey);
  const kid = keyId(publicKey);
  const header = b64(JSON.stringify({ alg: 'RS256', kid }));
  return {
    async issue(request) {
      const iat = Math.floor(now() / 1000);
      const sa = request.serviceAccount;
      const kubernetes: KubernetesClaim = { namespace: request.namespace, serviceaccount: { name: sa.name, uid: sa.uid } };
      if (request.node) kubernetes.node = request.node;
      if (request.pod) kubernetes.pod = request.pod;
      const claims: TokenClaims = {
        aud: request.audiences?.length ? request.audiences : [TOKEN_ISSUER],
        exp: iat + (request.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS),
        iat,
        iss: TOKEN_ISSUER,
        jti: randomUUID(),
        'kubernetes.io': kubernetes,
        nbf: iat,
        sub: `system:serviceaccount:${request.namespace}:${sa.name}`,
      };
      const payload = `${header}.${b64(JSON.stringify(claims))}`;
      const signature = await new Promise<Buffer>((resolve, reject) =>
        sign('sha256', Buffer.from(payload), privateKey, (err, signed) => (err ? reject(err) : resolve(signed))),
      );
      return { token: `${payload}.${b64(signature)}`, claims };
    },
    verify(token) {
      const parts = token.split('.');
      if (parts.length !== 3) return undefined;
      let head: { alg?: unknown; kid?: unknown };
      let claims: TokenClaims;
      try {
        head = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
        if (head.alg !== 'RS256' || head.kid !== kid) return undefined;
        if (!verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), publicKey, Buffer.from(parts[2], 'base64url'))) return undefined;
        claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
      } catch {
        return undefined;
      }
      const seconds = Math.floor(now() / 1000);
      // go-jose's default leeway of a minute, as kube-apiserver validates.
      if (claims.iss !== TOKEN_ISSUER || !Array.isArray(claims.aud) || !claims.aud.includes(TOKEN_ISSUER)) return undefined;
      if (typeof claims.exp !== 'number' || claims.exp + 60 < seconds || (typeof claims.nbf === 'number' && claims.nbf - 60 > seconds)) return undefined;
      if (!claims['kubernetes.io']?.serviceaccount?.uid || !claims['kubernetes.io'].namespace) return undefined;
      return claims;
    },
  };
}

/** The signing key, made on first start and kept owner-only in the state dir (so tokens stay valid across restarts). */
export async function loadOrCreateSigningKey(stateDir: string): Promise<KeyObject> {
  const file = join(stateDir, KEY_FILE);
  try {
    return createPrivateKey(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  await rename(tmp, file);
  return privateKey;
}
