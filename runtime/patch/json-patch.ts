import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { StatusError, badRequest } from '../errors/status-error.js';
import { cloneJson, isObject } from './json-value.js';

const { applyOperation, JsonPatchError } = fastJsonPatch;

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * JSON Patch (RFC 6902). A body that is not a list of operations is a 400, as
 * when Kubernetes cannot decode it; an operation that does not apply (failed
 * `test`, missing path, unknown op) is the 422 Kubernetes answers, with the
 * reason in the cause. Inputs are never mutated.
 */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw badRequest(`json: cannot unmarshal ${describe(ops)} into Go value of type jsonpatch.Patch`);
  }
  ops.forEach((op, i) => {
    if (!isObject(op)) throw badRequest(`json: cannot unmarshal ${describe(op)} into Go value of type jsonpatch.Operation (operation ${i})`);
  });
  let doc = cloneJson(target);
  ops.forEach((raw, index) => {
    const op = raw as unknown as Operation;
    if (!OPS.has(String(op.op))) throw notApplied(`Unexpected kind: ${String(op.op)}`);
    if (typeof op.path !== 'string') throw notApplied(`${op.op} operation does not apply: missing path`);
    try {
      doc = applyOperation(doc, cloneJson(op), true, true, true, index).newDocument;
    } catch (err) {
      if (err instanceof JsonPatchError) throw notApplied(kubeMessage(op, err.name));
      // fast-json-patch throws a plain TypeError for paths through __proto__ or constructor/prototype.
      if (err instanceof TypeError) throw notApplied(`${String(op.op)} operation does not apply: ${err.message}`);
      throw err;
    }
  });
  return doc;
}

/**
 * Kubernetes answers a JSON patch that does not apply with a generic 422 Invalid
 * and drops the reason; we keep it as a cause on the `patch` field, so kubectl
 * prints "The request is invalid: patch: testing value /spec/replicas failed: test failed".
 */
function notApplied(message: string): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }],
  });
}

// Messages follow the Go json-patch library so users see what kubectl would show.
function kubeMessage(op: Operation, name: string): string {
  const from = (op as { from?: string }).from;
  if (name === 'TEST_OPERATION_FAILED') return `testing value ${op.path} failed: test failed`;
  if (name === 'OPERATION_VALUE_REQUIRED') return `${op.op} operation does not apply: value is required`;
  if (name === 'OPERATION_FROM_UNRESOLVABLE') return `${op.op} operation does not apply: doc is missing from path: ${from}: missing value`;
  if (name === 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX' || name === 'OPERATION_VALUE_OUT_OF_BOUNDS') {
    return `Unable to access invalid index: ${op.path}: invalid index referenced`;
  }
  switch (op.op) {
    case 'remove':
      return `Unable to remove nonexistent key: ${op.path.slice(op.path.lastIndexOf('/') + 1)}: missing value`;
    case 'replace':
      return `replace operation does not apply: doc is missing key: ${op.path}: missing value`;
    default:
      return `${op.op} operation does not apply: doc is missing path: "${op.path}": missing value`;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}
