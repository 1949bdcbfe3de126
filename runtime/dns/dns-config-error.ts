/** Why cluster DNS cannot start with the options it was given; retrying will not help. */
export type DnsConfigErrorCode = 'INVALID_UPSTREAM' | 'INVALID_DOMAIN' | 'INVALID_LISTEN_ADDRESS';

export interface DnsConfigErrorData {
  /** The option that is wrong, e.g. `upstreams[1]`. */
  field: string;
  value: unknown;
}

export class DnsConfigError extends Error {
  override readonly name = 'DnsConfigError';

  constructor(
    readonly code: DnsConfigErrorCode,
    message: string,
    readonly data: DnsConfigErrorData,
  ) {
    super(message);
  }
}
