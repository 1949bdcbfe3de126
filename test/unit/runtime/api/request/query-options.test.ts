import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { requestAttributes } from '../../../../../runtime/api/auth/request-attributes.js';
import { fieldManagerOf } from '../../../../../runtime/api/handlers/admit-object.js';
import { queryBool, queryInt, queryString } from '../../../../../runtime/api/request/query-options.js';
import { checkWriteOptions } from '../../../../../runtime/api/request/write-options.js';

type Query = Record<string, string | string[]>;

/** A request as express's `simple` query parser hands it over: a repeated key is a list of its values. */
const request = (query: Query, headers: Record<string, string> = {}) => ({ query, headers }) as unknown as Request;

// kube-apiserver decodes query parameters with runtime.Convert_Slice_string_To_*: a repeated key is read
// by its first value, and a flag is false only when absent, "0" or "false" (any case).
describe('query parameters, as Kubernetes decodes them', () => {
  it('reads a repeated key by its first value', () => {
    const req = request({ fieldManager: ['first', 'second'], limit: ['2', '500'], labelSelector: ['app=a', 'app=b'] });
    expect(queryString(req, 'labelSelector')).toBe('app=a');
    expect(queryInt(req, 'limit')).toBe(2);
    expect(fieldManagerOf(req)).toBe('first');
  });

  const flags: Array<[Query, boolean]> = [
    [{}, false],
    [{ watch: 'true' }, true],
    [{ watch: '1' }, true],
    [{ watch: 'True' }, true],
    [{ watch: 'yes' }, true],
    [{ watch: '' }, true],
    [{ watch: 'false' }, false],
    [{ watch: 'FALSE' }, false],
    [{ watch: '0' }, false],
    [{ watch: ['true', 'false'] }, true],
    [{ watch: ['false', 'true'] }, false],
  ];
  for (const [query, want] of flags) {
    it(`watch ${JSON.stringify(query)} is ${want}, for the handler and for the authorizer alike`, () => {
      // The authorizer checks the verb the handler serves: a list-only role must not get a watch.
      expect(queryBool(request(query), 'watch')).toBe(want);
      expect(requestAttributes('GET', '/api/v1/namespaces/a/secrets', query).verb).toBe(want ? 'watch' : 'list');
    });
  }

  it('takes dryRun as a list of directives, each of which must be All (ValidateDryRun)', () => {
    const req = (query: Query) => ({ ...request(query), resume: () => undefined }) as unknown as Request;
    expect(checkWriteOptions(req({}), 'CreateOptions')).toBe(false);
    expect(checkWriteOptions(req({ dryRun: 'All' }), 'CreateOptions')).toBe(true);
    expect(checkWriteOptions(req({ dryRun: ['All', 'All'] }), 'UpdateOptions')).toBe(true);
    const refused: Array<[string | string[], string]> = [['Bogus', '[]string{"Bogus"}'], ['', '[]string{""}'], [['All', 'Bogus'], '[]string{"All", "Bogus"}']];
    for (const [dryRun, printed] of refused) {
      expect(() => checkWriteOptions(req({ dryRun }), 'PatchOptions', 'merge'), JSON.stringify(dryRun)).toThrow(`PatchOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ${printed}: supported values: "All"`);
    }
  });

  it('checks the other write options as ValidatePatchOptions does', () => {
    const req = (query: Query) => ({ ...request(query), resume: () => undefined }) as unknown as Request;
    expect(() => checkWriteOptions(req({ force: 'true' }), 'PatchOptions', 'merge')).toThrow('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
    expect(() => checkWriteOptions(req({ fieldManager: 'a'.repeat(129) }), 'CreateOptions')).toThrow('fieldManager: Too long: may not be more than 128 bytes');
    expect(() => checkWriteOptions(req({ fieldManager: 'ops\tbot' }), 'CreateOptions')).toThrow('fieldManager: Invalid value: "ops\\tbot": invalid character U+0009 (at position 3)');
    expect(() => checkWriteOptions(req({ fieldValidation: 'Loose' }), 'CreateOptions')).toThrow('fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"');
    expect(checkWriteOptions(req({ fieldManager: 'kubectl', force: 'true' }), 'PatchOptions', 'apply')).toBe(false);
  });

  it('names the object of a list by the first fieldSelector, as the list itself selects', () => {
    const query = { fieldSelector: ['metadata.name=db', 'metadata.name=tls'] };
    expect(queryString(request(query), 'fieldSelector')).toBe('metadata.name=db');
    expect(requestAttributes('GET', '/api/v1/namespaces/a/secrets', query).name).toBe('db');
  });
});
