import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { requestAttributes } from '../../../../../runtime/api/auth/request-attributes.js';
import { fieldManagerOf } from '../../../../../runtime/api/handlers/admit-object.js';
import { isDryRun, queryBool, queryInt, queryString } from '../../../../../runtime/api/request/query-options.js';

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

  it('takes dryRun as a list of directives, each of which must be All', () => {
    expect(isDryRun(request({}))).toBe(false);
    expect(isDryRun(request({ dryRun: 'All' }))).toBe(true);
    expect(isDryRun(request({ dryRun: ['All', 'All'] }))).toBe(true);
    for (const dryRun of ['Bogus', ['All', 'Bogus'], ['Bogus', 'All']]) {
      expect(() => isDryRun(request({ dryRun })), JSON.stringify(dryRun)).toThrow('dryRun: Unsupported value: "Bogus": supported values: "All"');
    }
  });

  it('names the object of a list by the first fieldSelector, as the list itself selects', () => {
    const query = { fieldSelector: ['metadata.name=db', 'metadata.name=tls'] };
    expect(queryString(request(query), 'fieldSelector')).toBe('metadata.name=db');
    expect(requestAttributes('GET', '/api/v1/namespaces/a/secrets', query).name).toBe('db');
  });
});
