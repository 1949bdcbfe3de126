/** One endpoint's failure, worded as containerd prints it: `<url>: <what went wrong>`. */
export class RegistryError extends Error {
  readonly code = 'RegistryError';
  constructor(
    readonly url: string,
    readonly detail: string,
    /** HTTP status when the registry answered. */
    readonly status?: number,
  ) {
    super(`${url}: ${detail}`);
    this.name = 'RegistryError';
  }
}
