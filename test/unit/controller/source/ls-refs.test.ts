import { describe, expect, it } from 'vitest';
import { parseLsRefs } from '../../../../controller/source/ls-refs.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const pkt = (line: string) => (Buffer.byteLength(line) + 4).toString(16).padStart(4, '0') + line;

describe('parseLsRefs', () => {
  it.each([
    ['an empty list', '0000', []],
    ['a branch', `${pkt(`${A} refs/heads/main\n`)}0000`, [{ ref: 'refs/heads/main', oid: A }]],
    ['HEAD with its target', `${pkt(`${A} HEAD symref-target:refs/heads/main\n`)}0000`, [{ ref: 'HEAD', oid: A, target: 'refs/heads/main' }]],
    ['an annotated tag', `${pkt(`${B} refs/tags/v1 peeled:${A}\n`)}0000`, [{ ref: 'refs/tags/v1', oid: B, peeled: A }]],
  ])('reads %s', (_name, body, expected) => {
    expect(parseLsRefs(Buffer.from(body))).toEqual(expected);
  });

  it.each([
    ['no flush packet', pkt(`${A} refs/heads/main\n`)],
    ['a length past the end', `00ff${A}`],
    ['not hex', 'zzzz0000'],
    ['a line without an object id', `${pkt('ERR upload-pack: not our ref\n')}0000`],
    ['bytes after the flush', `0000${pkt('x\n')}`],
    ['an HTML page', '<html><body>Sign in</body></html>'],
  ])('refuses %s', (_name, body) => {
    expect(parseLsRefs(Buffer.from(body))).toBeUndefined();
  });
});
