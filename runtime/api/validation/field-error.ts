import type { StatusCause } from '../../errors/status-error.js';

/** One field problem, worded as Kubernetes' field.Error prints it. */
export function required(field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', field, message: detail ? `Required value: ${detail}` : 'Required value' };
}

export function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
}

export function tooLong(field: string, max: number): StatusCause {
  return { reason: 'FieldValueTooLong', field, message: `Too long: may not be more than ${max} bytes` };
}

export function invalidValue(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${goValue(value)}: ${detail}` };
}

export function duplicate(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${goValue(value)}` };
}

export function notSupported(field: string, value: unknown, supported: string[]): StatusCause {
  return { reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${goValue(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}` };
}

function goValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
    return `map[string]string{${entries.join(', ')}}`;
  }
  return JSON.stringify(value);
}
