import { StatusError } from '../errors/status-error.js';

export function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.code === 404;
}
