import { BatonError } from '../../runtime/kube/baton-error.js';

export type ClusterConfigErrorCode =
  /** No kubeconfig defines a context of that name. */
  | 'UNKNOWN_CLUSTER'
  /** A kubeconfig exists but cannot be read or parsed, or has no current cluster. */
  | 'BAD_KUBECONFIG'
  /** `local` asked for before the built-in runtime wrote its kubeconfig: worth waiting for. */
  | 'LOCAL_RUNTIME_NOT_READY';

export interface ClusterConfigErrorData {
  /** The cluster name an app asked for. */
  cluster?: string;
  /** The kubeconfig file(s) looked at. */
  kubeconfig?: string;
}

/**
 * A cluster name that no kubeconfig defines, a kubeconfig that cannot be
 * read, or the built-in runtime not started yet. `code` tells them apart: the
 * first two need a person to fix configuration, the last one only time.
 */
export class ClusterConfigError extends BatonError {
  override readonly name = 'ClusterConfigError';

  constructor(
    override readonly code: ClusterConfigErrorCode,
    message: string,
    readonly data: ClusterConfigErrorData = {},
    options?: { cause?: unknown },
  ) {
    super(message, { ...options, retryable: code === 'LOCAL_RUNTIME_NOT_READY' });
  }
}
