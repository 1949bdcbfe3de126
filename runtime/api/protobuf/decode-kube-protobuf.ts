import { StatusError, badRequest } from '../../errors/status-error.js';
import { asInt64, readFields, type WireField } from './wire-reader.js';
import { kubeProtoSchemas, type FieldSpec, type MessageSchema } from './kube-proto-schemas.js';

const MAGIC = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"
const text = new TextDecoder('utf-8', { fatal: false });

function isZero(f: WireField): boolean {
  return f.varint !== undefined ? f.varint === 0n : (f.bytes?.length ?? 0) === 0;
}

function decodeMapEntry(bytes: Uint8Array): [string, Uint8Array] {
  let key = '';
  let value: Uint8Array = new Uint8Array();
  for (const f of readFields(bytes)) {
    if (f.number === 1 && f.bytes) key = text.decode(f.bytes);
    if (f.number === 2 && f.bytes) value = f.bytes;
  }
  return [key, value];
}

function decodeTime(bytes: Uint8Array): string | undefined {
  let seconds = 0;
  for (const f of readFields(bytes)) if (f.number === 1 && f.varint !== undefined) seconds = asInt64(f.varint);
  // Go's zero time is year 1; such a timestamp means "unset".
  return seconds > 0 ? new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
}

/** IntOrString: type (0 int, 1 string), intVal, strVal. */
function decodeIntOrString(bytes: Uint8Array): number | string | undefined {
  let kind = 0;
  let intVal = 0;
  let strVal = '';
  for (const f of readFields(bytes)) {
    if (f.number === 1 && f.varint !== undefined) kind = asInt64(f.varint);
    if (f.number === 2 && f.varint !== undefined) intVal = asInt64(f.varint);
    if (f.number === 3 && f.bytes) strVal = text.decode(f.bytes);
  }
  return kind === 1 ? strVal : intVal;
}

function decodeValue(spec: FieldSpec, f: WireField): unknown {
  switch (spec.type) {
    case 'intOrString':
      return decodeIntOrString(f.bytes ?? new Uint8Array());
    case 'skip':
      return undefined;
    case 'string':
      return f.bytes ? text.decode(f.bytes) : '';
    case 'bytes':
      return Buffer.from(f.bytes ?? []).toString('base64');
    case 'int':
      return f.varint !== undefined ? asInt64(f.varint) : 0;
    case 'bool':
      return f.varint !== undefined && f.varint !== 0n;
    case 'time':
      return decodeTime(f.bytes ?? new Uint8Array());
    case 'message':
      return decodeMessage(spec.message!, f.bytes ?? new Uint8Array(), spec.name);
    default:
      return undefined;
  }
}

/**
 * Decodes one message into its JSON form. Zero values are dropped (Go's
 * `omitempty`); a field this decoder does not know fails the request unless it
 * is empty, so nothing a client sent is silently lost.
 */
function decodeMessage(schema: MessageSchema, bytes: Uint8Array, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of readFields(bytes)) {
    const spec = schema[f.number];
    if (!spec) {
      if (isZero(f)) continue;
      throw new StatusError(415, 'UnsupportedMediaType', `protobuf field ${f.number} of ${path} is not understood by this server; send the object as application/json`);
    }
    if (spec.type === 'stringMap' || spec.type === 'bytesMap' || spec.type === 'quantityMap') {
      const [key, value] = decodeMapEntry(f.bytes ?? new Uint8Array());
      const map = (out[spec.name] ??= {}) as Record<string, string>;
      if (spec.type === 'stringMap') map[key] = text.decode(value);
      else if (spec.type === 'bytesMap') map[key] = Buffer.from(value).toString('base64');
      // resource.Quantity is a message whose field 1 is its string form.
      else map[key] = readFields(value).find((q) => q.number === 1 && q.bytes) ? text.decode(readFields(value).find((q) => q.number === 1)!.bytes!) : '0';
      continue;
    }
    const value = decodeValue(spec, f);
    if (spec.repeated) {
      ((out[spec.name] ??= []) as unknown[]).push(value);
    } else if (value !== undefined && value !== '' && value !== 0 && value !== false && !(typeof value === 'object' && Object.keys(value as object).length === 0)) {
      out[spec.name] = value;
    }
  }
  return out;
}

/**
 * Decodes a body sent as `application/vnd.kubernetes.protobuf`: the `k8s\0`
 * envelope (runtime.Unknown with apiVersion and kind) around the object.
 * kubectl's typed clients (`kubectl create namespace|configmap|secret`) send
 * these and do not fall back to JSON.
 */
export function decodeKubeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) throw badRequest('protobuf body does not start with the Kubernetes "k8s\\0" prefix');
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array();
  for (const f of readFields(body.subarray(4))) {
    if (f.number === 1 && f.bytes) {
      for (const t of readFields(f.bytes)) {
        if (t.number === 1 && t.bytes) apiVersion = text.decode(t.bytes);
        if (t.number === 2 && t.bytes) kind = text.decode(t.bytes);
      }
    }
    if (f.number === 2 && f.bytes) raw = f.bytes;
  }
  const schema = kubeProtoSchemas[`${apiVersion}/${kind}`] ?? kubeProtoSchemas[kind];
  if (!schema) {
    throw new StatusError(415, 'UnsupportedMediaType', `protobuf bodies are accepted for ${Object.keys(kubeProtoSchemas).join(', ')}, not ${kind || 'this object'}; send it as application/json (e.g. kubectl apply -f)`);
  }
  return { apiVersion, kind, ...decodeMessage(schema, raw, kind) };
}
