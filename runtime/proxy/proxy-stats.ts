/** Counters of one Service, as the proxy saw it since it started serving it. */
export interface ServiceStats {
  /** Client connections accepted on any of the Service's ports. */
  connections: number;
  /** Client connections open now. */
  activeConnections: number;
  /** Connections that found no ready endpoint or broke with a socket error. */
  errors: number;
  /** Connect attempts moved to another endpoint after one failed. */
  retries: number;
  /** Ready endpoints per Service port number. */
  readyEndpoints: Record<number, number>;
  /** `host:port` sockets listening now. */
  listening: string[];
}

/** Keyed by `namespace/name`. */
export type ServiceProxyStats = Record<string, ServiceStats>;

export interface ConnectionCounters {
  connections: number;
  activeConnections: number;
  errors: number;
  retries: number;
}

export function newCounters(): ConnectionCounters {
  return { connections: 0, activeConnections: 0, errors: 0, retries: 0 };
}
