import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Kubernetes' EncryptionConfiguration prefix for the aesgcm provider, followed by the key's name. */
const PREFIX = 'k8s:enc:aesgcm:v1:';
const KEY_FILE = 'encryption-key';

interface NamedKey {
  name: string;
  secret: Buffer;
}

/**
 * Secrets at rest in the runtime's store, as Kubernetes' aesgcm provider
 * stores them: `k8s:enc:aesgcm:v1:<key name>:` then nonce, ciphertext and
 * tag. Keys live in `<dir>/encryption-key` (0600): the first encrypts, every
 * one decrypts, so a rotation re-writes records under the new key before the
 * old one goes.
 */
export class SecretEnvelope {
  private constructor(
    private readonly file: string,
    private keys: NamedKey[],
  ) {}

  /** Opens the key file `fileName` of `dir`, making one with a fresh key on first start. */
  static open(dir: string, fileName = KEY_FILE): SecretEnvelope {
    const file = join(dir, fileName);
    if (!existsSync(file)) {
      const envelope = new SecretEnvelope(file, [{ name: 'key1', secret: randomBytes(32) }]);
      envelope.save();
      return envelope;
    }
    chmodSync(file, 0o600);
    return new SecretEnvelope(file, readKeys(file));
  }

  encrypt(plain: string): string {
    const [key] = this.keys;
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.secret, nonce);
    const sealed = Buffer.concat([nonce, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${key.name}:${sealed.toString('base64')}`;
  }

  /** The plain text of a stored value; a value stored before encryption existed is returned as it is. */
  decrypt(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const rest = stored.slice(PREFIX.length);
    const name = rest.slice(0, rest.indexOf(':'));
    // Another process (`baton up --rotate-secrets-key`) may have rotated the file since it was read.
    if (!this.keys.some((k) => k.name === name)) this.keys = readKeys(this.file);
    const key = this.keys.find((k) => k.name === name);
    if (!key) throw new Error(`a stored Secret is encrypted with key "${name}", which ${this.file} does not hold; restore the key file from a backup`);
    const sealed = Buffer.from(rest.slice(name.length + 1), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key.secret, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]).toString('utf8');
  }

  /** True when `stored` is plain or under a key other than the current one: it should be written again. */
  isStale(stored: string): boolean {
    return !stored.startsWith(`${PREFIX}${this.keys[0].name}:`);
  }

  /** Makes a new key the one that encrypts; older ones stay for reading until `forgetOldKeys`. */
  rotate(): void {
    const used = new Set(this.keys.map((k) => k.name));
    let n = 1;
    while (used.has(`key${n}`)) n++;
    this.keys = [{ name: `key${n}`, secret: randomBytes(32) }, ...this.keys];
    this.save();
  }

  forgetOldKeys(): void {
    if (this.keys.length === 1) return;
    this.keys = this.keys.slice(0, 1);
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ keys: this.keys.map((k) => ({ name: k.name, secret: k.secret.toString('base64') })) })}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}

function readKeys(file: string): NamedKey[] {
  let parsed: { keys?: Array<{ name?: unknown; secret?: unknown }> };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not an encryption key file of baton's (${(err as Error).message}); restore it from a backup: without it the stored Secrets cannot be read`);
  }
  const keys = (parsed.keys ?? []).map((k) => ({ name: String(k.name), secret: Buffer.from(String(k.secret), 'base64') }));
  if (keys.length === 0 || keys.some((k) => !/^[a-z0-9-]+$/.test(k.name) || k.secret.length !== 32)) {
    throw new Error(`${file} holds no valid key (each needs a name and a 32-byte base64 secret); restore it from a backup`);
  }
  return keys;
}
