/** A registries.yaml that cannot be used; `field` is the path inside the file (`mirrors."docker.io".endpoint[0]`). */
export class RegistriesConfigError extends Error {
  readonly code = 'RegistriesConfigError';
  constructor(
    readonly file: string,
    readonly field: string,
    message: string,
  ) {
    super(field ? `${file}: ${field}: ${message}` : `${file}: ${message}`);
    this.name = 'RegistriesConfigError';
  }
}
