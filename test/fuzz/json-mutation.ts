import fc from 'fast-check';

/** One edit somewhere in a JSON document: `steps` pick the node (index modulo its children). */
export interface JsonMutation {
  steps: number[];
  action: 'null' | 'delete' | 'number' | 'string' | 'bool' | 'array' | 'object' | 'huge' | 'proto' | 'negative' | 'float' | 'nested';
}

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.record({
  steps: fc.array(fc.nat(), { maxLength: 6 }),
  action: fc.constantFrom('null', 'delete', 'number', 'string', 'bool', 'array', 'object', 'huge', 'proto', 'negative', 'float', 'nested'),
});

function replacement(action: JsonMutation['action']): unknown {
  switch (action) {
    case 'null':
      return null;
    case 'number':
      return Number.MAX_SAFE_INTEGER + 2;
    case 'negative':
      return -1;
    case 'float':
      return 1.5e308;
    case 'string':
      return 'x';
    case 'bool':
      return true;
    case 'array':
      return [1, 'a', null];
    case 'object':
      return { unexpected: { deeper: [] } };
    case 'huge':
      return 'h'.repeat(10_000);
    case 'nested':
      return JSON.parse(`${'['.repeat(200)}${']'.repeat(200)}`);
    default:
      return undefined;
  }
}

/**
 * Applies mutations to a deep copy: the node a mutation reaches is replaced
 * (wrong type, null, huge), deleted, or given a `__proto__` key. Real payloads
 * edited this way pass signature checks and reach the schema validation.
 */
export function mutateJson(value: unknown, mutations: readonly JsonMutation[]): unknown {
  const root = { v: structuredClone(value) as unknown };
  for (const m of mutations) {
    let parent: any = root;
    let key: string | number = 'v';
    for (const step of m.steps) {
      const node = parent[key];
      if (node === null || typeof node !== 'object') break;
      const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
      if (keys.length === 0) break;
      parent = node;
      key = keys[step % keys.length];
    }
    if (m.action === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (m.action === 'proto') {
      const node = parent[key];
      // JSON.parse makes "__proto__" an own key; that is what an attacker's body gives the server.
      if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
        parent[key] = JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(node).slice(1)}`.replace(/, }$/, '}'));
      }
    } else {
      parent[key] = replacement(m.action);
    }
  }
  return root.v;
}
