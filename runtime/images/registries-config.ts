import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { RegistriesConfigError } from './registries-config-error.js';

const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.host;
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

const mirrorSchema = z.strictObject({
  endpoint: z.array(httpUrl).default([]),
  rewrite: z.record(z.string(), z.string()).optional(),
});

const configSchema = z.strictObject({
  auth: z
    .strictObject({
      username: z.string().optional(),
      password: z.string().optional(),
      auth: z.string().optional(),
      identity_token: z.string().optional(),
    })
    .optional(),
  tls: z
    .strictObject({
      ca_file: z.string().optional(),
      cert_file: z.string().optional(),
      key_file: z.string().optional(),
      insecure_skip_verify: z.boolean().optional(),
    })
    .optional(),
});

const fileSchema = z.strictObject({
  mirrors: z.record(z.string(), mirrorSchema).default({}),
  configs: z.record(z.string(), configSchema).default({}),
});

/** k3s's `registries.yaml`, validated. */
export type RegistriesConfig = z.infer<typeof fileSchema>;
export type MirrorConfig = z.infer<typeof mirrorSchema>;
export type RegistryHostConfig = z.infer<typeof configSchema>;

function fieldPath(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else {
      const s = String(p);
      const part = /^[A-Za-z_][\w]*$/.test(s) ? s : JSON.stringify(s);
      out += out ? `.${part}` : part;
    }
  }
  return out;
}

/** Validates parsed YAML; errors name `file` and the field (`mirrors."docker.io".endpoint[0]`). */
export function parseRegistriesConfig(text: string, file = 'registries.yaml'): RegistriesConfig {
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (err) {
    throw new RegistriesConfigError(file, '', `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const result = fileSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0];
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    throw new RegistriesConfigError(file, fieldPath(issue.path), message);
  }
  const config = result.data;
  for (const [host, m] of Object.entries(config.mirrors)) {
    for (const pattern of Object.keys(m.rewrite ?? {})) {
      try {
        new RegExp(pattern);
      } catch {
        throw new RegistriesConfigError(file, fieldPath(['mirrors', host, 'rewrite', pattern]), 'must be a regular expression');
      }
    }
  }
  for (const [host, c] of Object.entries(config.configs)) {
    const tls = c.tls;
    if (tls && !!tls.cert_file !== !!tls.key_file) {
      throw new RegistriesConfigError(file, fieldPath(['configs', host, 'tls']), 'cert_file and key_file go together');
    }
    for (const key of ['ca_file', 'cert_file', 'key_file'] as const) {
      const path = tls?.[key];
      if (path && !existsSync(path)) throw new RegistriesConfigError(file, fieldPath(['configs', host, 'tls', key]), `no such file ${path}`);
    }
  }
  return config;
}

/** Loads `path`; a missing file means no mirrors and no credentials. */
export function loadRegistriesConfig(path: string): RegistriesConfig | undefined {
  if (!existsSync(path)) return undefined;
  return parseRegistriesConfig(readFileSync(path, 'utf8'), basename(path));
}
