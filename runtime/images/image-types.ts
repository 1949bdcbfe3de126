/**
 * What the image store hands the kubelet. The store pulls images from OCI
 * registries (or imports archives), keeps blobs content-addressed and each
 * image's layers unpacked once, read-only, as the lower layer of every
 * container's overlay.
 */

/** The parts of an image's config (`config` of the OCI image config) that decide how a container runs. */
export interface ImageConfig {
  /** `Entrypoint`; empty when unset. */
  entrypoint: string[];
  /** `Cmd`; empty when unset. */
  cmd: string[];
  /** `Env` as `NAME=value` strings, in image order. */
  env: string[];
  /** `WorkingDir`; empty when unset. */
  workingDir: string;
  /** `User` (`uid`, `uid:gid`, `name` or `name:group`); empty when unset. */
  user: string;
}

export interface StoredImage {
  /** Normalized reference it was pulled or imported as, e.g. `docker.io/library/busybox:latest`. */
  name: string;
  /** Digest of the manifest chosen for linux/amd64, `sha256:…`. */
  digest: string;
  /** What `status.containerStatuses[].imageID` shows: `<repository>@<digest>`. */
  imageID: string;
  config: ImageConfig;
  /** Directory holding the unpacked, flattened root filesystem; never written to. */
  rootfs: string;
  /** Bytes of the image's layers as stored (compressed). */
  size: number;
}

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export interface EnsureOptions {
  policy: PullPolicy;
  /**
   * Parsed `.dockerconfigjson` documents of the pod's `imagePullSecrets`
   * (objects with an `auths` map), tried for the registry's host.
   * @defaultValue []
   */
  dockerConfigs?: unknown[];
  /** Called once when a pull from a registry actually begins (not for an image already present). */
  onPullStart?: () => void;
}

export interface EnsureResult {
  image: StoredImage;
  /** False when the image was already present and the policy allowed using it. */
  pulled: boolean;
  /** Time spent, including waiting for a pull of the same image already under way. */
  ms: number;
}

/** Why an image cannot be had; `reason` becomes the container's `state.waiting.reason`. */
export class ImagePullError extends Error {
  readonly code = 'ImagePullError';
  constructor(
    readonly reason: 'ErrImagePull' | 'InvalidImageName' | 'ErrImageNeverPull',
    message: string,
  ) {
    super(message);
    this.name = 'ImagePullError';
  }
}

export interface ImageStore {
  /**
   * Makes the image present per the policy and returns it. Concurrent calls
   * for one reference share one pull. Throws ImagePullError whose message
   * quotes the registry's answer and names the endpoint tried.
   */
  ensure(ref: string, options: EnsureOptions): Promise<EnsureResult>;
  /** Records that container `id` uses the image with `digest`: prune and GC leave it alone until released. */
  lease(id: string, digest: string): void;
  release(id: string): void;
}
