import type { Readable, Writable } from 'node:stream';
import type { Cluster } from '../../objects/cluster.js';
import type { KubeObject } from '../../kube/object.js';
import type { ServedOpenApi } from '../openapi/served-openapi.js';
import type { RbacAuthorizer } from '../auth/rbac-authorizer.js';

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

/** A command running in a container with its streams open (the kubelet's exec). */
export interface PodExecStreams {
  /** Present when stdin was asked for; ending it closes the command's stdin. */
  stdin?: Writable;
  stdout: Readable;
  stderr: Readable;
  /** The exit code, once the output is drained. */
  exited: Promise<number>;
  kill(): void;
  /** With a TTY: the client's terminal changed size. */
  resize?(columns: number, rows: number): void;
}

/**
 * Runs `pods/{name}/exec` and `pods/{name}/attach`; given by the pod
 * supervisor. Both throw a StatusError (400) when the container is not running.
 */
export interface PodStreamProvider {
  exec(pod: KubeObject, request: { container?: string; command: string[]; stdin: boolean; tty: boolean }): Promise<PodExecStreams>;
  /** The container's output from now on, ending when the container does; with `stdin`, a writer into the container's stdin. */
  attach(pod: KubeObject, request: { container?: string; stdin: boolean }): { output: Readable; stdin?: Writable };
}

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
  /**
   * exec and attach (WebSocket upgrades, see runtime/api/streaming).
   * @defaultValue undefined — exec and attach answer 404 until pods run
   */
  streams?: PodStreamProvider;
  /**
   * RBAC, for the escalation check on writes of Roles and bindings.
   * @defaultValue undefined — no check (in-process callers hold every right)
   */
  authorizer?: RbacAuthorizer;
}
