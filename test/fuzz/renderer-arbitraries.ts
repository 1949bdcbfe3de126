import fc from 'fast-check';
import { stringify } from 'yaml';

/** Inserts, deletes or replaces a few characters: near-valid input reaches deeper than pure noise. */
export function mutateText(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.record({
    at: fc.nat(),
    cut: fc.nat({ max: 8 }),
    put: fc.oneof(fc.constantFrom('', ':', '-', '{', '}', '[', ']', '&a', '*a', '!!binary', '\t', '\n', '  ', '#', '"', "'", '|', '>', '---\n', '? ', '%YAML 1.2\n', '\0', '\uFEFF', '}}', '{{'), fc.string({ maxLength: 6 })),
  });
  return fc.tuple(base, fc.array(edit, { maxLength: 4 })).map(([text, edits]) => {
    let out = text;
    for (const e of edits) {
      const i = out.length === 0 ? 0 : e.at % (out.length + 1);
      out = out.slice(0, i) + e.put + out.slice(i + e.cut);
    }
    return out;
  });
}

const hugeNumber = fc.constantFrom('1e999999', '-1e400', '0x' + 'f'.repeat(80), '9'.repeat(400), '.inf', '-.Inf', '.nan', '0o777777777777777777777', '1_000', '0b1010', '1.5e-400', '12e', '+12', '0777');

const k8sName = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.string({ maxLength: 12 }), fc.constantFrom('', '__proto__', 'constructor', 'a'.repeat(300), 'UPPER', '-x-'));

/** A Kubernetes-looking object with random, sometimes wrong-typed, fields. */
export const kubeObject = fc.record(
  {
    apiVersion: fc.oneof(fc.constantFrom('v1', 'apps/v1', 'batch/v1', '', 'x/y/z'), fc.integer(), fc.constant(null)),
    kind: fc.oneof(fc.constantFrom('ConfigMap', 'Secret', 'Deployment', 'Service', 'Namespace', 'List', 'ConfigMapList', 'Pod'), fc.string({ maxLength: 8 }), fc.constant(null), fc.integer()),
    metadata: fc.oneof(
      fc.record({ name: fc.oneof(k8sName, fc.integer(), fc.constant(null)), namespace: fc.oneof(k8sName, fc.constant(undefined)), labels: fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer()))) }, { requiredKeys: ['name'] }),
      fc.constant(null),
      fc.string({ maxLength: 5 }),
      fc.array(fc.integer(), { maxLength: 3 }),
    ),
    data: fc.jsonValue({ maxDepth: 2 }),
    items: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    spec: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['apiVersion', 'kind', 'metadata'] },
);

/** YAML that defines `&a` and references it many times per level: a billion-laughs attempt. */
export const aliasBomb = fc.record({ levels: fc.integer({ min: 1, max: 12 }), fanout: fc.integer({ min: 2, max: 12 }) }).map(({ levels, fanout }) => {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: fanout }, () => `*a${i - 1}`).join(',')}]`);
  return `${lines.join('\n')}\n`;
});

/** Nesting deep enough to break a recursive parser or walker. */
export const deepNesting = fc.record({ depth: fc.integer({ min: 50, max: 1_500 }), style: fc.constantFrom('flow-seq', 'flow-map', 'block-map', 'block-seq', 'json') }).map(({ depth, style }) => {
  switch (style) {
    case 'flow-seq':
      return `${'['.repeat(depth)}1${']'.repeat(depth)}\n`;
    case 'flow-map':
      return `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`;
    case 'json':
      return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    case 'block-map': {
      const d = Math.min(depth, 400);
      return Array.from({ length: d }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n';
    }
    default: {
      const d = Math.min(depth, 400);
      return Array.from({ length: d }, (_, i) => `${' '.repeat(i * 2)}-`).join('\n') + ' 1\n';
    }
  }
});

const commonYaml: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: mutateText(fc.array(kubeObject, { minLength: 1, maxLength: 2 }).map((objs) => objs.map((o) => stringify(o)).join('---\n'))) },
  { weight: 2, arbitrary: fc.array(kubeObject, { minLength: 1, maxLength: 2 }).map((objs) => objs.map((o) => stringify(o)).join('---\n')) },
  { weight: 1, arbitrary: kubeObject.map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', ':', ' ', '\n', '-', '&', '*', '!', '[', ']', '{', '}', ',', '?', '|', '>', '"', "'", '#', '%', '@', '`', '\t'), maxLength: 120 }) },
  { weight: 1, arbitrary: aliasBomb },
  { weight: 1, arbitrary: fc.tuple(kubeObject, hugeNumber).map(([o, n]) => `${stringify(o)}spec:\n  replicas: ${n}\n  big: ${n}\n`) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__: {polluted: 1}\n', 'a: {__proto__: {polluted: 1}}\n', 'constructor: {prototype: {polluted: 1}}\n', '<<: *x\n', '? [a, b]\n: c\n', '!!js/function "x"\n', 'a: !!binary AAAA\n', '---\n---\n...\n', '%TAG ! tag:x,2000:\n--- !foo 1\n') },
);

/** Any text a user (or an attacker) could commit as a YAML file; deep nesting is rare, as each such case costs a stack overflow. */
export const yamlText: fc.Arbitrary<string> = fc.oneof({ weight: 200, arbitrary: commonYaml }, { weight: 1, arbitrary: deepNesting });

const helperNames = ['toYaml', 'toJson', 'indent', 'nindent', 'quote', 'squote', 'default', 'required', 'eq', 'ne', 'lt', 'gt', 'le', 'ge', 'and', 'or', 'not', 'empty', 'include', 'lower', 'upper', 'trim', 'trunc', 'trimPrefix', 'trimSuffix', 'replace', 'contains', 'join', 'toString', 'int', 'b64enc', 'b64dec', 'sha256', 'sha256sum', 'printf', 'list', 'dict', 'hasKey', 'lookup', 'Files.get', 'Files.glob', 'Files.exists'];

const pathExpr = fc.constantFrom(
  'Values.name', 'Values.replicas', 'Values.list', 'Values.map', 'Values.map.k', 'Values.missing', 'Values.missing.deeper', 'Values.nested.a.b', 'Values.empty',
  'Release.Name', 'Release.Namespace', 'Chart.Name', 'Capabilities.KubeVersion.Version', 'Template.Name', 'this', '.', '@root', '@root.Values.name', '@key', '@index', '../Values', 'Values.[weird key]',
  'constructor', 'constructor.constructor', '__proto__', 'Values.__proto__', 'Values.constructor.prototype', 'this.__defineGetter__', 'toString', 'Values.hasOwnProperty', 'Values.list.length', 'Values.name.length',
);

const literal = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"%s-%d"', '"%0999999999d"', '"%-50s|%5.2f|%x|%q|%t|%v|%%"', '"__proto__"', '"constructor"', '"../../etc/passwd"', '"/abs"', '"*"', '"**/*.json"', '"p"', '"nope"', '"\\n"', "'single'"),
  fc.integer({ min: -5, max: 100 }).map(String),
  fc.constantFrom('1e300', '-1', '100000000', '2147483648', '0.5', 'true', 'false', 'null', 'undefined'),
);

/** A Handlebars expression: a path, a literal, or a (possibly nested) helper call. */
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    pathExpr,
    literal,
    fc.tuple(fc.constantFrom(...helperNames), fc.array(tie('e'), { maxLength: 3 })).map(([h, args]) => `(${[h, ...args].join(' ')})`),
  ),
})).e;

const mustache = fc.oneof(
  expr.map((e) => `{{${e}}}`),
  fc.tuple(fc.constantFrom(...helperNames), fc.array(expr, { maxLength: 4 })).map(([h, args]) => `{{${[h, ...args].join(' ')}}}`),
  fc.tuple(fc.constantFrom(...helperNames), fc.array(expr, { maxLength: 3 })).map(([h, args]) => `{{{${[h, ...args].join(' ')}}}}`),
  fc.constantFrom('{{> p}}', '{{> p this}}', '{{> missing}}', '{{include "p" this}}', '{{include "p" (dict "x" 1)}}', '{{#> p}}x{{/p}}', '{{!-- c --}}', '{{! c }}', '{{~ Values.name ~}}', '{{else}}', '{{', '}}', '{{{', '{{/each}}', '{{/if}}', '{{#each}}', '{{log "x"}}', '{{#*inline "p"}}y{{/inline}}', '{{@root.constructor}}', '{{lookup this "constructor"}}', '{{lookup this (toString "__proto__")}}', '{{lookup (lookup this "Values") (lower "CONSTRUCTOR")}}', '{{#with (lookup Values "map")}}{{k}}{{/with}}'),
);

const yamlFragment = fc.constantFrom('apiVersion: v1\n', 'kind: ConfigMap\n', 'metadata:\n', '  name: ', 'data:\n', '  k: ', '- ', ': ', '\n', '  ', 'x', '"', '---\n', '#', '{', '}');

/** Template text: YAML-ish fragments, mustaches and blocks (balanced or not). */
export const templateText: fc.Arbitrary<string> = fc.letrec<{ body: string }>((tie) => ({
  body: fc
    .array(
      fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        yamlFragment,
        mustache,
        fc.tuple(fc.constantFrom('each', 'if', 'unless', 'with'), expr, tie('body'), fc.boolean(), fc.option(tie('body'))).map(([block, e, inner, closed, alt]) =>
          `{{#${block} ${e}}}${inner}${alt !== null ? `{{else}}${alt}` : ''}${closed ? `{{/${block}}}` : ''}`,
        ),
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join('')),
})).body;

/** A valid ConfigMap template with one random mustache, so helpers run inside YAML that renders. */
export const configMapTemplate = fc.array(mustache, { minLength: 1, maxLength: 3 }).map(
  (ms) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{Release.Name}}\ndata:\n${ms.map((m, i) => `  k${i}: ${m}\n`).join('')}`,
);

/** Deeply nested blocks: a recursive compiler or AST walker could overflow the stack. */
export const deepTemplate = fc.record({ depth: fc.integer({ min: 100, max: 12_000 }), block: fc.constantFrom('if', 'each', 'with'), sub: fc.boolean() }).map(({ depth, block, sub }) =>
  sub ? `a: {{toString ${'(list '.repeat(depth)}1${')'.repeat(depth)}}}\n` : `${`{{#${block} Values.map}}`.repeat(depth)}x${`{{/${block}}}`.repeat(depth)}\n`,
);

const setKey = fc.string({ unit: fc.constantFrom('a', 'b', '.', '[', ']', '0', '9', '\\', '=', ',', '{', '}', '_', 'x'), minLength: 0, maxLength: 14 });

/** `--set` expressions: Helm syntax, mostly broken. */
export const setExpression = fc.oneof(
  fc.tuple(setKey, fc.string({ maxLength: 8 })).map(([k, v]) => `${k}=${v}`),
  setKey,
  fc.constantFrom('a[99999999]=1', 'a[65536]=1', 'a[0][1][2]=x', '__proto__.polluted=1', 'constructor.prototype.polluted=1', 'a.__proto__=1', 'a={x,y', 'a={x,{y}}', 'a=b\\', 'a\\.b=c', '=x', 'a..b=c', 'a[-1]=x', 'a[0]b=c', 'a=null', 'a.b=null', 'replicas=99999999999999999999', 'a[1]=x,a.b=y', 'a.b=1,a[0]=2'),
);

/** Inline values as a caller (baton.yaml `set:`) passes them: any JSON, forbidden keys included. */
export const inlineValues = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'name', 'map', 'list', 'replicas')),
  fc.jsonValue({ maxDepth: 4 }),
  { maxKeys: 6 },
);

/** A values file: random YAML or a near-valid values document. */
export const valuesText = fc.oneof(
  yamlText,
  mutateText(fc.jsonValue({ maxDepth: 4 }).map((v) => stringify({ name: 'web', replicas: 2, value: v }))),
  fc.constantFrom('replicas: "three"\n', 'name: [1, 2]\n', 'map: null\n', '- a\n- b\n', '42\n', '', 'a: 1\n---\nb: 2\n'),
);
