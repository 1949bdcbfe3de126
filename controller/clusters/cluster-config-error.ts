export interface ClusterConfigErrorData {
  /** The cluster name an app asked for. */
  cluster?: string;
  /** The kubeconfig file(s) looked at. */
  kubeconfig?: string;
}

/**
 * A cluster name that no kubeconfig defines, or a kubeconfig that cannot be
 * read. A user must fix the configuration, so syncs fail without retrying
 * until then (the app shows the message).
 */
export class ClusterConfigError extends Error {
  override readonly name = 'ClusterConfigError';
  readonly code = 'CLUSTER_NOT_CONFIGURED';

  constructor(
    message: string,
    readonly data: ClusterConfigErrorData = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
