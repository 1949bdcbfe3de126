/** No ready endpoint accepted a connection: the Service has none, or every one failed to connect. */
export class NoReadyEndpointError extends Error {
  readonly code = 'NoReadyEndpoint';
  readonly data: { attempts: number; lastError?: string };

  constructor(attempts: number, lastError?: Error) {
    super(
      attempts === 0
        ? 'no ready endpoints'
        : `no ready endpoint accepted the connection after ${attempts} attempt(s): ${lastError?.message ?? 'unknown error'}`,
    );
    this.name = 'NoReadyEndpointError';
    this.data = { attempts, lastError: lastError?.message };
  }
}
