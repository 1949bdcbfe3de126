import { isObject, type JsonObject } from './json-value.js';

/**
 * A path into an object in managedFields (FieldsV1) notation: each element is
 * `f:<field>`, `k:<json of the merge key>` (an item of an associative list),
 * `v:<json value>` (an item of a set) or `i:<index>`.
 */
export type FieldPath = readonly string[];

/** A set of field paths, as one manager's entry in `metadata.managedFields` describes it. */
export class FieldSet {
  private readonly members = new Map<string, FieldPath>();
  /** Keys of every member and every prefix of one, built on first use by hasAtOrBelow. */
  private prefixes: Set<string> | undefined;

  static of(paths: Iterable<FieldPath>): FieldSet {
    const set = new FieldSet();
    for (const p of paths) set.add(p);
    return set;
  }

  /** Decodes a FieldsV1 object: `{}` marks a member, `"."` marks the enclosing path as a member. */
  static fromFieldsV1(fields: unknown): FieldSet {
    const set = new FieldSet();
    const walk = (node: unknown, path: string[]): void => {
      if (!isObject(node)) return;
      for (const [key, child] of Object.entries(node)) {
        if (key === '.') {
          set.add(path);
          continue;
        }
        const childPath = [...path, key];
        if (isObject(child) && Object.keys(child).length === 0) set.add(childPath);
        else walk(child, childPath);
      }
    };
    walk(fields, []);
    return set;
  }

  add(path: FieldPath): void {
    this.members.set(keyOf(path), path);
    this.prefixes = undefined;
  }

  has(path: FieldPath): boolean {
    return this.members.has(keyOf(path));
  }

  get size(): number {
    return this.members.size;
  }

  paths(): FieldPath[] {
    return [...this.members.values()];
  }

  /** True when a member is `path` itself or lies below it. */
  hasAtOrBelow(path: FieldPath): boolean {
    if (!this.prefixes) {
      this.prefixes = new Set();
      for (const p of this.members.values()) {
        for (let n = 1; n <= p.length; n++) this.prefixes.add(keyOf(p.slice(0, n)));
      }
    }
    return this.prefixes.has(keyOf(path));
  }

  union(other: FieldSet): FieldSet {
    return FieldSet.of([...this.paths(), ...other.paths()]);
  }

  difference(other: FieldSet): FieldSet {
    return FieldSet.of(this.paths().filter((p) => !other.has(p)));
  }

  intersection(other: FieldSet): FieldSet {
    return FieldSet.of(this.paths().filter((p) => other.has(p)));
  }

  /** Encodes as FieldsV1, children in the order Kubernetes writes them (`.` first, then f:, k:, v:, i:). */
  toFieldsV1(): JsonObject {
    const root: JsonObject = {};
    for (const path of this.paths()) {
      let node = root;
      path.forEach((el, i) => {
        const last = i === path.length - 1;
        const existing = node[el] as JsonObject | undefined;
        if (last) {
          if (!existing) node[el] = {};
          else if (Object.keys(existing).length > 0) existing['.'] = {};
          return;
        }
        if (!existing) node[el] = {};
        else if (Object.keys(existing).length === 0 && this.has(path.slice(0, i + 1))) existing['.'] = {};
        node = node[el] as JsonObject;
      });
    }
    return sortFields(root);
  }
}

// Path elements are field names or JSON, which escapes control characters, so NUL cannot occur inside one.
function keyOf(path: FieldPath): string {
  return path.join('\u0000');
}

/** Kubernetes' order of FieldsV1 children: `.` first, then f:, k:, v:, i:, each group by name. */
function rank(key: string): number {
  if (key === '.') return 0;
  switch (key.charCodeAt(0)) {
    case 102: // f
      return 1;
    case 107: // k
      return 2;
    case 118: // v
      return 3;
    case 105: // i
      return 4;
    default:
      return -1;
  }
}

function compareFields(a: string, b: string): number {
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Puts every level in that order; the tree is the caller's own, so a level already in order is kept as it is. */
function sortFields(node: JsonObject): JsonObject {
  const keys = Object.keys(node);
  let ordered = true;
  for (let i = 1; i < keys.length && ordered; i++) ordered = compareFields(keys[i - 1], keys[i]) <= 0;
  if (ordered) {
    for (const k of keys) node[k] = sortFields(node[k] as JsonObject);
    return node;
  }
  const out: JsonObject = {};
  for (const k of keys.sort(compareFields)) out[k] = sortFields(node[k] as JsonObject);
  return out;
}

export function fieldElement(name: string): string {
  return `f:${name}`;
}

/** `k:{"name":"app"}`; with several key fields, they are written in name order. */
export function keyElement(key: Record<string, unknown>): string {
  const sorted = Object.keys(key).sort().map((k) => [k, key[k]]);
  return `k:${JSON.stringify(Object.fromEntries(sorted))}`;
}

export function valueElement(value: unknown): string {
  return `v:${JSON.stringify(value)}`;
}

export function indexElement(index: number): string {
  return `i:${index}`;
}

/** The path as Kubernetes prints it in conflict messages: `.spec.containers[name="app"].image`. */
export function describePath(path: FieldPath): string {
  return path
    .map((el) => {
      const body = el.slice(2);
      if (el.startsWith('f:')) return `.${body}`;
      if (el.startsWith('k:')) {
        const key = JSON.parse(body) as JsonObject;
        return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      }
      if (el.startsWith('v:')) return `[=${body}]`;
      return `[${body}]`;
    })
    .join('');
}
