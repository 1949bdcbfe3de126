import type { Readable } from 'node:stream';
import type { Cluster } from '../../objects/cluster.js';
import type { KubeObject } from '../../objects/types.js';
import type { ServedOpenApi } from '../openapi/served-openapi.js';

/** Options of `GET pods/{name}/log`, as kubectl sends them. */
export interface PodLogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps: boolean;
  limitBytes?: number;
}

/**
 * Reads a container's log; given by the pod supervisor once pods run. It
 * throws a StatusError (e.g. 400 for a container still waiting) when there is
 * nothing to read yet.
 */
export type PodLogProvider = (pod: KubeObject, options: PodLogOptions) => Promise<Readable>;

/** What every request handler needs. */
export interface ApiContext {
  /** The store every request reads and writes (no default: the runtime opens it). */
  cluster: Cluster;
  /** Documents built once by `buildServedOpenApi()`; also used for unknown-field warnings. */
  openapi: ServedOpenApi;
  /**
   * Container log reader for `pods/{name}/log`.
   * @defaultValue undefined — the API answers 404 until pods run
   */
  logs?: PodLogProvider;
}
