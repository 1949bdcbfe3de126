import { RenderError } from '../errors/render-error.js';
import { forbiddenKeys, isPlainMap, type Values } from './values.js';

/** Helm's limit on list indexes in --set, so `a[999999999]=x` cannot allocate a huge list. */
const maxIndex = 65536;

type Segment = string | number;

class SetSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/**
 * Parses `--set` expressions with Helm's syntax and types, applying them in
 * order onto `into` (a new object is returned; `into` is not modified):
 * `a.b=c`, `a[0]=x`, `a.b[1].c=d`, `a\.b=c` (literal dot), `a=b,c=d`,
 * `a={x,y}` (a list), `a=null` (null, which deletes the key when merged).
 * Values are typed like Helm: true/false → boolean, null → null, integers
 * without a leading zero → number, anything else a string.
 * Throws a RenderError (code BAD_SET) naming the expression and column.
 */
export function parseSet(exprs: readonly string[], into: Values = {}): Values {
  const root: Values = structuredClone(into);
  for (const expr of exprs) {
    try {
      parseOne(expr, root);
    } catch (err) {
      if (err instanceof SetSyntaxError) {
        throw RenderError.at('BAD_SET', '--set', 1, err.at + 1, `--set ${expr}: ${err.message}`, { expression: expr });
      }
      throw err;
    }
  }
  return root;
}

function parseOne(s: string, root: Values): void {
  let i = 0;
  while (i < s.length) {
    const path: Segment[] = [];
    let key = '';
    let keyStart = i;
    const start = i;
    const pushKey = () => {
      if (key === '') throw new SetSyntaxError('empty key', keyStart);
      if ((forbiddenKeys as readonly string[]).includes(key)) throw new SetSyntaxError(`key "${key}" is not allowed`, keyStart);
      path.push(key);
      key = '';
    };
    // Key: segments separated by '.', list indexes in [N], ended by '='.
    let afterIndex = false;
    while (true) {
      if (i >= s.length) throw new SetSyntaxError(`key "${s.slice(start)}" has no value (expected key=value)`, start);
      const c = s[i];
      if (c === '\\' && i + 1 < s.length) {
        key += s[i + 1];
        i += 2;
      } else if (c === ',') {
        throw new SetSyntaxError(`key "${s.slice(start, i)}" has no value (expected key=value)`, start);
      } else if (c === '.') {
        pushKey();
        keyStart = ++i;
      } else if (c === '=') {
        if (!afterIndex) pushKey();
        i++;
        break;
      } else if (c === '[') {
        if (!afterIndex) pushKey();
        const close = s.indexOf(']', i);
        const digits = close < 0 ? '' : s.slice(i + 1, close);
        if (!/^\d+$/.test(digits)) throw new SetSyntaxError('list index must be a number in [ ]', i);
        const idx = Number(digits);
        if (idx > maxIndex) throw new SetSyntaxError(`list index ${idx} is over the limit of ${maxIndex}`, i);
        path.push(idx);
        i = close + 1;
        if (i < s.length && !'.=['.includes(s[i])) throw new SetSyntaxError(`unexpected "${s[i]}" after ]`, i);
        if (s[i] === '.') {
          keyStart = ++i;
          afterIndex = false;
        } else afterIndex = true;
        continue;
      } else {
        key += c;
        i++;
      }
      afterIndex = false;
    }
    // Value: a {list} or a scalar up to the next unescaped comma.
    let value: unknown;
    if (s[i] === '{') {
      const items: unknown[] = [];
      let cur = '';
      const open = i;
      i++;
      while (true) {
        if (i >= s.length) throw new SetSyntaxError('list value is missing its closing }', open);
        const c = s[i];
        if (c === '\\' && i + 1 < s.length) {
          cur += s[i + 1];
          i += 2;
          continue;
        }
        i++;
        if (c === ',' || c === '}') {
          if (!(c === '}' && cur === '' && items.length === 0)) items.push(typedValue(cur));
          cur = '';
          if (c === '}') break;
        } else cur += c;
      }
      if (i < s.length && s[i] !== ',') throw new SetSyntaxError(`unexpected "${s[i]}" after }`, i);
      value = items;
    } else {
      let raw = '';
      while (i < s.length && s[i] !== ',') {
        if (s[i] === '\\' && i + 1 < s.length) {
          raw += s[i + 1];
          i += 2;
        } else raw += s[i++];
      }
      value = typedValue(raw);
    }
    setPath(root, path, value);
    if (s[i] === ',') i++;
  }
}

function typedValue(raw: string): unknown {
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (raw === '0') return 0;
  // Like Helm: "0123" stays a string (zip codes, octal-looking ids), and so do floats ("1.10" is a version).
  if (/^[+-]?[1-9]\d*$/.test(raw) && Number.isSafeInteger(Number(raw))) return Number(raw);
  return raw;
}

function setPath(root: Values, path: Segment[], value: unknown): void {
  let node: any = root;
  for (let n = 0; n < path.length; n++) {
    const seg = path[n];
    const last = n === path.length - 1;
    const nextIsIndex = !last && typeof path[n + 1] === 'number';
    if (typeof seg === 'number') {
      while (node.length <= seg) node.push(null);
    }
    if (last) {
      node[seg] = value;
      return;
    }
    const child = node[seg];
    if (nextIsIndex) {
      if (!Array.isArray(child)) node[seg] = [];
    } else if (!isPlainMap(child)) {
      node[seg] = {};
    }
    node = node[seg];
  }
}
