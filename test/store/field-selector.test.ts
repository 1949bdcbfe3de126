import { describe, expect, it } from 'vitest';
import { parseFieldSelector } from '../../runtime/store/index.js';
import { StatusError } from '../../runtime/errors/status-error.js';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop' },
  spec: { nodeName: 'local', restartPolicy: 'Always' },
  status: { phase: 'Running' },
};
const event = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web-1.abc', namespace: 'shop' },
  involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'shop', uid: 'u-1' },
  type: 'Warning',
  count: 3,
};

describe('parseFieldSelector', () => {
  it.each([
    [pod, '', true],
    [pod, 'metadata.name=web-1', true],
    [pod, 'metadata.name==web-1', true],
    [pod, 'metadata.name!=web-1', false],
    [pod, 'metadata.namespace=shop,status.phase!=Pending', true],
    [pod, 'status.phase=Pending', false],
    [pod, 'spec.nodeName=local', true],
    [pod, 'spec.nodeName=', false],
    [{ ...pod, spec: {} }, 'spec.nodeName=', true],
    [{ ...pod, spec: {} }, 'spec.nodeName!=', false],
    [event, 'involvedObject.name=web-1,involvedObject.kind=Pod', true],
    [event, 'involvedObject.uid=u-2', false],
    [event, 'type=Warning', true],
    [event, 'count=3', true],
    [{ ...pod, metadata: { name: 'a,b', namespace: 'x' } }, 'metadata.name=a\\,b', true],
  ])('%#: %j', (object, selector, expected) => {
    expect(parseFieldSelector(selector).matches(object)).toBe(expected);
  });

  it.each([
    ['metadata.name', "can't understand 'metadata.name'"],
    ['metadata.name=a,status.phase', "can't understand 'status.phase'"],
    ['metadata.name=a,', 'empty term'],
    ['.name=a', '".name" is not a field path'],
    ['=a', '"" is not a field path'],
  ])('%j is a BadRequest mentioning %j', (selector, part) => {
    let error: unknown;
    try {
      parseFieldSelector(selector);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StatusError);
    expect((error as StatusError).code).toBe(400);
    expect((error as StatusError).message).toContain(part);
  });
});
