/**
 * A reconcile failure that waiting cannot fix (an invalid spec, say): the
 * reconciler logs it and does not retry until the object changes again.
 */
export class TerminalError extends Error {
  readonly code = 'TERMINAL';
  readonly data: Record<string, unknown>;

  constructor(message: string, data: Record<string, unknown> = {}) {
    super(message);
    this.name = 'TerminalError';
    this.data = data;
  }
}
