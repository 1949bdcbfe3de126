import { parse as parseYaml, YAMLParseError } from 'yaml';
import { badRequest } from '../../errors/status-error.js';
import { decodeKubeProtobuf } from '../protobuf/decode-kube-protobuf.js';
import { mediaTypeOf, PROTOBUF } from './media-type.js';

/**
 * Parses a request body as JSON, or YAML when the content type says so.
 * Malformed input is a 400 naming the line and column.
 */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  const type = mediaTypeOf(contentType);
  if (type === PROTOBUF) return decodeKubeProtobuf(body);
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty; an object is required');
  if (type.endsWith('yaml')) {
    try {
      return parseYaml(text, { uniqueKeys: false });
    } catch (err) {
      if (err instanceof YAMLParseError) {
        const pos = err.linePos?.[0];
        throw badRequest(`error converting YAML to JSON: yaml: line ${pos?.line ?? '?'}: ${err.message.split('\n')[0]}`);
      }
      throw badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
