import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BlobStore, digestHex } from './blob-store.js';
import { directoryBytes, diskUsedPercent } from './disk-usage.js';
import { importImageArchive } from './image-archive.js';
import { imageConfigOf, type ImageManifestDoc } from './image-manifest.js';
import { ImageRecords, type ImageRecord } from './image-records.js';
import { parseImageReference, repositoryName, type ImageReference } from './image-reference.js';
import { ImagePullError, type EnsureOptions, type EnsureResult, type ImageStore, type StoredImage } from './image-types.js';
import { fetchImage, resolveImage } from './pull-image.js';
import type { RegistriesConfig } from './registries-config.js';
import { RegistryClient } from './registry-client.js';
import { credentialsFor } from './registry-credentials.js';
import { registryEndpoints, type RegistryEndpoint } from './registry-endpoints.js';
import { unpackRootfs } from './unpack-rootfs.js';

export interface ImageStoreOptions {
  /** Where blobs, unpacked rootfs, `images.json` and `leases/` live; the runtime passes `<state-dir>/images`. */
  dir: string;
  /** Mirrors, credentials and TLS, as k3s's registries.yaml. @defaultValue no mirrors, no credentials */
  registries?: RegistriesConfig;
  /** Never fall back to a configured registry's own endpoint (k3s `--disable-default-registry-endpoint`). @defaultValue false */
  disableDefaultEndpoint?: boolean;
  /** Called as layer bytes arrive. @defaultValue none */
  onProgress?: (ref: string, bytesDone: number, bytesTotal: number) => void;
}

export interface GcResult {
  removed: string[];
  freedBytes: number;
}

export interface OpenedImageStore extends ImageStore {
  list(): StoredImage[];
  /** Removes an image by name, digest or IMAGE ID prefix; false when none matches. Throws when a container uses it. */
  remove(ref: string): boolean;
  /** Removes every image no container uses, then every blob and rootfs no image references. */
  prune(): GcResult;
  importArchive(input: Readable): Promise<StoredImage[]>;
  /** When the store's disk is over `highPercent` used, removes unused images, least recently used first, down to `lowPercent`. */
  gcIfDiskShort(highPercent?: number, lowPercent?: number): GcResult;
  close(): Promise<void>;
}

export function openImageStore(options: ImageStoreOptions): OpenedImageStore {
  const { dir } = options;
  // The unpacked root filesystems keep their images' modes inside; the directory above them is owner-only.
  mkdirSync(join(dir, 'rootfs'), { recursive: true, mode: 0o700 });
  const blobs = new BlobStore(dir);
  const records = new ImageRecords(dir);
  const pulls = new Map<string, Promise<ImageRecord>>();
  const blobDownloads = new Map<string, Promise<void>>();
  const unpacks = new Map<string, Promise<string>>();
  const clients = new Map<string, RegistryClient>();

  const rootfsOf = (digest: string) => join(dir, 'rootfs', digestHex(digest));
  const toStored = (r: ImageRecord): StoredImage => ({ name: r.name, digest: r.digest, imageID: r.imageID, config: r.config, rootfs: rootfsOf(r.digest), size: r.size });
  const present = (r: ImageRecord | undefined): r is ImageRecord => !!r && existsSync(rootfsOf(r.digest)) && blobs.has(r.digest);

  /** Unpacks (once per digest, shared) and records `name` → the manifest already in the blob store. */
  async function commit(name: string, repository: string, manifestDigest: string): Promise<ImageRecord> {
    const manifest = blobs.readJson<ImageManifestDoc>(manifestDigest);
    let unpacking = unpacks.get(manifestDigest);
    if (!unpacking) {
      unpacking = unpackRootfs(dir, blobs, manifestDigest, manifest.layers.map((l) => l.digest)).finally(() => unpacks.delete(manifestDigest));
      unpacks.set(manifestDigest, unpacking);
    }
    await unpacking;
    const record: ImageRecord = {
      name,
      digest: manifestDigest,
      imageID: `${repository}@${manifestDigest}`,
      configDigest: manifest.config.digest,
      config: imageConfigOf(blobs.readJson(manifest.config.digest)),
      size: manifest.layers.reduce((n, l) => n + l.size, 0),
      layers: manifest.layers.map((l) => ({ digest: l.digest, size: l.size })),
      lastUsed: Date.now(),
    };
    records.update((images) => {
      images[name] = record;
    });
    return record;
  }

  function clientFor(endpoint: RegistryEndpoint, ref: ImageReference, dockerConfigs: unknown[]): RegistryClient {
    const creds = credentialsFor(endpoint, ref.registry, dockerConfigs);
    const key = `${endpoint.base} ${creds ? JSON.stringify(creds) : ''}`;
    let client = clients.get(key);
    if (!client) clients.set(key, (client = new RegistryClient(endpoint, creds)));
    return client;
  }

  async function pull(ref: ImageReference, ensureOptions: EnsureOptions): Promise<ImageRecord> {
    const endpoints = registryEndpoints(ref, options.registries, options.disableDefaultEndpoint ?? false);
    const dockerConfigs = ensureOptions.dockerConfigs ?? [];
    const resolved = await resolveImage(ref, endpoints, (e) => clientFor(e, ref, dockerConfigs));
    const current = records.get(ref.name);
    if (current && current.digest === resolved.manifestDigest && present(current)) {
      records.update((images) => {
        if (images[ref.name]) images[ref.name].lastUsed = Date.now();
      });
      return current;
    }
    await fetchImage(ref, resolved, {
      blobs,
      inflight: blobDownloads,
      onBytes: (done, total) => options.onProgress?.(ref.name, done, total),
    });
    try {
      return await commit(ref.name, repositoryName(ref), resolved.manifestDigest);
    } catch (err) {
      throw new ImagePullError('ErrImagePull', `failed to pull and unpack image "${ref.name}": ${(err as Error).message}`);
    }
  }

  function sweep(): number {
    const images = Object.values(records.all());
    const leased = records.leases();
    const keepRootfs = new Set([...images.map((r) => digestHex(r.digest)), ...[...leased.keys()].filter((d) => /^sha256:/.test(d)).map(digestHex)]);
    let freed = 0;
    for (const name of readdirSync(join(dir, 'rootfs'))) {
      if (name.startsWith('.tmp-') || keepRootfs.has(name)) continue;
      freed += directoryBytes(join(dir, 'rootfs', name));
      rmSync(join(dir, 'rootfs', name), { recursive: true, force: true });
    }
    const keepBlobs = new Set<string>();
    for (const r of images) {
      keepBlobs.add(r.digest).add(r.configDigest);
      for (const l of r.layers) keepBlobs.add(l.digest);
    }
    for (const digest of blobs.list()) {
      if (!keepBlobs.has(digest) && !leased.has(digest) && !blobDownloads.has(digest)) freed += blobs.remove(digest);
    }
    return freed;
  }

  function dropImages(names: string[]): number {
    records.update((images) => {
      for (const n of names) delete images[n];
    });
    return sweep();
  }

  return {
    async ensure(text, ensureOptions) {
      const start = Date.now();
      const ref = parseImageReference(text);
      const existing = records.get(ref.name);
      if (ensureOptions.policy !== 'Always' && present(existing)) {
        records.update((images) => {
          if (images[ref.name]) images[ref.name].lastUsed = Date.now();
        });
        return { image: toStored(existing), pulled: false, ms: Date.now() - start };
      }
      if (ensureOptions.policy === 'Never') {
        throw new ImagePullError('ErrImageNeverPull', `Container image "${text}" is not present with pull policy of Never`);
      }
      let running = pulls.get(ref.name);
      if (!running) {
        running = pull(ref, ensureOptions).finally(() => pulls.delete(ref.name));
        pulls.set(ref.name, running);
      }
      const record = await running;
      return { image: toStored(record), pulled: true, ms: Date.now() - start } satisfies EnsureResult;
    },
    lease: (id, digest) => records.lease(id, digest),
    release: (id) => records.release(id),
    list: () =>
      Object.values(records.all())
        .filter(present)
        .map(toStored),
    remove(text) {
      const all = Object.values(records.all());
      let matches: ImageRecord[];
      const hexPrefix = text.replace(/^sha256:/, '');
      if (/^[a-f0-9]{6,64}$/.test(hexPrefix)) {
        matches = all.filter((r) => digestHex(r.digest).startsWith(hexPrefix) || digestHex(r.configDigest).startsWith(hexPrefix));
      } else {
        let name: string;
        try {
          name = parseImageReference(text).name;
        } catch {
          return false;
        }
        matches = all.filter((r) => r.name === name);
      }
      if (matches.length === 0) return false;
      const leased = records.leases();
      for (const r of matches) {
        const users = leased.get(r.digest);
        if (users?.length) throw new Error(`image "${r.name}" is in use by container ${users.join(', ')}`);
      }
      dropImages(matches.map((r) => r.name));
      return true;
    },
    prune() {
      const leased = records.leases();
      const removed = Object.values(records.all())
        .filter((r) => !leased.has(r.digest))
        .map((r) => r.name);
      return { removed, freedBytes: dropImages(removed) };
    },
    async importArchive(input) {
      const imported = await importImageArchive(input, blobs);
      const out: StoredImage[] = [];
      for (const { name, manifestDigest } of imported) {
        const ref = parseImageReference(name);
        out.push(toStored(await commit(ref.name, repositoryName(ref), manifestDigest)));
      }
      return out;
    },
    gcIfDiskShort(highPercent = 85, lowPercent = 80) {
      const result: GcResult = { removed: [], freedBytes: 0 };
      if (diskUsedPercent(dir) <= highPercent) return result;
      const leased = records.leases();
      const candidates = Object.values(records.all())
        .filter((r) => !leased.has(r.digest))
        .sort((a, b) => a.lastUsed - b.lastUsed);
      for (const r of candidates) {
        if (diskUsedPercent(dir) <= lowPercent) break;
        result.freedBytes += dropImages([r.name]);
        result.removed.push(r.name);
      }
      return result;
    },
    async close() {
      await Promise.all([...clients.values()].map((c) => c.close()));
      clients.clear();
    },
  };
}
