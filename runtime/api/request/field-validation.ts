import type { Request } from 'express';
import { badRequest } from '../../errors/status-error.js';
import type { ResourceType } from '../../resources/registry.js';

/** The `fieldValidation` directive: Strict fails a write with unknown or duplicate fields, Warn (the default) and Ignore drop them. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** `fieldValidation` of a write; absent is Warn, as in Kubernetes. */
export function fieldValidationOf(req: Request | undefined): FieldValidation {
  const value = (req?.query as Record<string, unknown> | undefined)?.fieldValidation;
  if (value === undefined || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(String(value))}: supported values: "Ignore", "Strict", "Warn"`);
}

/** Duplicate keys found in each request's JSON body, kept until admission decides what they mean. */
const duplicates = new WeakMap<Request, string[]>();

/** Notes the duplicate fields of a JSON body read for `req` (YAML bodies are not scanned). */
export function noteDuplicateFields(req: Request, text: string): void {
  const found = duplicateJsonFields(text);
  if (found.length) duplicates.set(req, found);
}

export function duplicateFieldsOf(req: Request | undefined): string[] {
  return (req && duplicates.get(req)) || [];
}

/**
 * Paths of keys repeated in one JSON object (`spec.replicas`), as
 * Kubernetes' strict decoder names them; JSON.parse keeps only the last.
 * `text` must already have parsed as JSON.
 */
export function duplicateJsonFields(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const space = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    space();
    const c = text[i];
    if (c === '{' || c === '[') {
      const isObject = c === '{';
      const seen = new Set<string>();
      i++;
      space();
      if (text[i] === (isObject ? '}' : ']')) {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        let at = `${path}[${n}]`;
        if (isObject) {
          space();
          const key = string();
          at = path ? `${path}.${key}` : key;
          if (seen.has(key)) out.push(at);
          seen.add(key);
          space();
          i++; // the colon
        }
        value(at);
        space();
        if (text[i++] !== ',') return;
      }
    }
    if (c === '"') {
      string();
      return;
    }
    while (i < text.length && !',}] \t\n\r'.includes(text[i]!)) i++;
  };
  value('');
  return out;
}

/** Kubernetes' strict decoding failure: `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"`. */
export function strictDecodingError(type: ResourceType, problems: string[]) {
  return badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${problems.join(', ')}`);
}
