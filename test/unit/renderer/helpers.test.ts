import { describe, expect, it } from 'vitest';
import { TemplateSession } from '../../../renderer/template/template-session.js';
import { defaultLimits } from '../../../renderer/limits.js';

const partials = new Map([
  ['labels', { file: 'c/templates/_labels.hbs', source: 'app: {{name}}\ntier: web\n' }],
  ['greeting', { file: 'c/templates/_greeting.hbs', source: 'hello {{Values.who}}' }],
]);

function render(source: string, values: Record<string, unknown> = {}, files: Record<string, string> = {}) {
  const session = new TemplateSession(partials, false, defaultLimits);
  const ctx = {
    Values: values,
    Release: { Name: 'rel', Namespace: 'ns', name: 'rel' },
    Files: { get: (p: string) => files[p] },
  };
  return session.render({ file: 'c/templates/t.yaml', source }, ctx);
}

const out = (source: string, values: Record<string, unknown> = {}, files: Record<string, string> = {}) => {
  const r = render(source, values, files);
  if (r.errors.length) throw new Error(r.errors.map((e) => e.format()).join('\n'));
  return r.output;
};

describe('helpers', () => {
  const cases: [string, string, Record<string, unknown>, string][] = [
    ['toYaml map', '{{toYaml Values.r}}', { r: { limits: { cpu: '1' }, list: [1, 2] } }, 'limits:\n  cpu: "1"\nlist:\n  - 1\n  - 2'],
    ['toYaml empty map', '{{toYaml Values.r}}', { r: {} }, '{}'],
    ['toYaml string', '{{toYaml Values.s}}', { s: 'a: b' }, '"a: b"'],
    ['toJson', '{{toJson Values.l}}', { l: ['a', 1, true] }, '["a",1,true]'],
    ['indent', 'x:\n{{indent 2 (toYaml Values.r)}}', { r: { a: 1, b: 2 } }, 'x:\n  a: 1\n  b: 2'],
    ['nindent', 'x:{{nindent 4 (toYaml Values.r)}}', { r: { a: 1, b: 2 } }, 'x:\n    a: 1\n    b: 2'],
    ['quote string', '{{quote Values.s}}', { s: 'he said "hi"' }, '"he said \\"hi\\""'],
    ['quote number', '{{quote Values.n}}', { n: 8080 }, '"8080"'],
    ['quote several', '{{quote "a" "b"}}', {}, '"a" "b"'],
    ['squote', "{{squote Values.s}}", { s: 'x' }, "'x'"],
    ['default when missing', '{{default "nginx" Values.image}}', {}, 'nginx'],
    ['default when empty string', '{{default "nginx" Values.image}}', { image: '' }, 'nginx'],
    ['default keeps value', '{{default "nginx" Values.image}}', { image: 'redis' }, 'redis'],
    ['default treats 0 as empty (Helm)', '{{default 3 Values.n}}', { n: 0 }, '3'],
    ['required passes value', '{{required "need tag" Values.tag}}', { tag: 'v1' }, 'v1'],
    ['eq', '{{#if (eq Values.env "prod")}}P{{else}}D{{/if}}', { env: 'prod' }, 'P'],
    ['ne', '{{#if (ne Values.env "prod")}}P{{else}}D{{/if}}', { env: 'prod' }, 'D'],
    ['lt', '{{lt 1 2}} {{lt "b" "a"}}', {}, 'true false'],
    ['gt', '{{#if (gt Values.replicas 1)}}many{{/if}}', { replicas: 3 }, 'many'],
    ['le/ge', '{{le 2 2}} {{ge 1 2}}', {}, 'true false'],
    ['and returns first empty', '{{and Values.a Values.b}}|{{and 1 2}}', { a: 'x', b: '' }, '|2'],
    ['or returns first non-empty', '{{or Values.a Values.b "z"}}', { a: '', b: 'y' }, 'y'],
    ['not', '{{not Values.a}} {{not Values.l}}', { a: 'x', l: [] }, 'false true'],
    ['empty', '{{empty Values.m}} {{empty Values.n}}', { m: {}, n: { a: 1 } }, 'true false'],
    ['include a partial as a string', 'labels:{{nindent 2 (include "labels" Values)}}', { name: 'web' }, 'labels:\n  app: web\n  tier: web'],
    ['include with this', '{{include "greeting" this}}!', { who: 'you' }, 'hello you!'],
    ['native partial', '{{> greeting}}', { who: 'me' }, 'hello me'],
    ['lower/upper/trim', '{{lower "AbC"}} {{upper "abc"}} [{{trim "  x  "}}]', {}, 'abc ABC [x]'],
    ['trunc', '{{trunc 3 "abcdef"}} {{trunc -2 "abcdef"}}', {}, 'abc ef'],
    ['trimPrefix/trimSuffix', '{{trimPrefix "v" "v1.2"}} {{trimSuffix "-" "abc-"}}', {}, '1.2 abc'],
    ['replace', '{{replace "_" "-" "a_b_c"}}', {}, 'a-b-c'],
    ['contains', '{{contains "prod" "eu-prod"}}', {}, 'true'],
    ['join', '{{join "," Values.h}}', { h: ['a', 'b'] }, 'a,b'],
    ['toString/int (helper names are not property lookups)', '{{toString 5}} {{int "7"}}', {}, '5 7'],
    ['b64enc', '{{b64enc "hello"}}', {}, 'aGVsbG8='],
    ['b64dec', '{{b64dec "aGVsbG8="}}', {}, 'hello'],
    ['sha256', '{{sha256 "abc"}}', {}, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['sha256 of Files.get', '{{sha256sum (Files.get "server.js")}}', {}, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['printf', '{{printf "%s-%d-%05.1f-%q-%v-%x-%t-%%" "a" 3 2.5 "q" Values.l 255 true}}', { l: [1] }, 'a-3-002.5-"q"-[1]-ff-true-%'],
    ['printf padding', '[{{printf "%-4s|%4s|%03d" "ab" "cd" 7}}]', {}, '[ab  |  cd|007]'],
    ['list', '{{toJson (list 1 "a" Values.x)}}', { x: true }, '[1,"a",true]'],
    ['dict', '{{toJson (dict "a" 1 "b" (list 2))}}', {}, '{"a":1,"b":[2]}'],
    ['hasKey', '{{hasKey Values "a"}} {{hasKey Values "b"}}', { a: null }, 'true false'],
    ['each over a map gives @key', '{{#each Values.m}}{{@key}}={{this}};{{/each}}', { m: { x: 1, y: 2 } }, 'x=1;y=2;'],
    ['each over a list gives @index', '{{#each Values.l}}{{@index}}:{{this}} {{/each}}', { l: ['a', 'b'] }, '0:a 1:b '],
    ['@root inside each', '{{#each Values.l}}{{@root.Release.Name}}-{{this}} {{/each}}', { l: ['a'] }, 'rel-a '],
    ['with', '{{#with Values.img}}{{repo}}:{{tag}}{{/with}}', { img: { repo: 'r', tag: 't' } }, 'r:t'],
    ['lookup', '{{lookup Values.m "k"}}', { m: { k: 'v' } }, 'v'],
    ['no HTML escaping', '{{Values.s}}', { s: '<a&b>' }, '<a&b>'],
  ];
  it.each(cases)('%s', (_name, source, values, expected) => {
    expect(out(source, values, { 'server.js': 'abc' })).toBe(expected);
  });

  const failures: [string, string, Record<string, unknown>, string][] = [
    ['required fails with its message at its position', 'a: 1\nb: {{required "image.tag is required" Values.tag}}', {}, 'c/templates/t.yaml:2:4: image.tag is required'],
    ['required treats "" as missing', '{{required "need x" Values.x}}', { x: '' }, 'c/templates/t.yaml:1:1: need x'],
    ['missing value is named', 'x: {{Values.image.tag}}', { image: {} }, 'c/templates/t.yaml:1:6: Values.image.tag is not defined'],
    ['missing parent in a helper argument', 'x: {{quote Values.a.b}}', {}, 'c/templates/t.yaml:1:12: Values.a.b: Values.a is not defined'],
    ['unknown helper', '\n  {{toyaml Values}}', {}, 'c/templates/t.yaml:2:5: unknown helper "toyaml"; did you mean "toYaml"?'],
    ['wrong argument count', '{{nindent (toYaml Values)}}', {}, 'c/templates/t.yaml:1:1: nindent takes 2 argument(s), got 1; usage: {{nindent N STRING}}'],
    ['lt on mixed types', '{{lt 1 "a"}}', {}, 'c/templates/t.yaml:1:1: lt: compares two numbers or two strings, got number and string'],
    ['b64dec of bad input', '{{b64dec "%%%"}}', {}, 'c/templates/t.yaml:1:1: b64dec: "%%%" is not valid base64'],
    ['dict with odd arguments', '{{toJson (dict "a")}}', {}, 'c/templates/t.yaml:1:10: dict: takes key/value pairs'],
    ['dict refuses __proto__', '{{toJson (dict "__proto__" 1)}}', {}, 'dict: key "__proto__" is not allowed'],
    ['unknown partial', '{{include "nope" this}}', {}, 'c/templates/t.yaml:1:11: unknown partial "nope"'],
    ['constructor is refused', '{{Values.constructor.name}}', {}, 'c/templates/t.yaml:1:3: "Values.constructor.name": "constructor" is not allowed'],
    ['__proto__ is refused', '{{#each Values.__proto__}}{{/each}}', {}, '"__proto__" is not allowed'],
    ['lookup of constructor is refused', '{{lookup this "constructor"}}', {}, 'c/templates/t.yaml:1:15: "constructor" is not allowed'],
    ['a property of a string', 'x: {{Values.s.length}}', { s: 'abc' }, 'c/templates/t.yaml:1:6: Values.s.length: Values.s is "abc", not a map, so it has no "length"'],
    ['an Object.prototype member is refused', '{{Values.m.toString}}', { m: {} }, 'c/templates/t.yaml:1:3: "Values.m.toString": "toString" is not allowed'],
    ['trunc with a non-number', '{{trunc "x" "abc"}}', {}, 'trunc: trunc length must be a whole number, got "x"'],
  ];
  it.each(failures)('%s', (_name, source, values, expected) => {
    const r = render(source, values);
    expect(r.errors.map((e) => e.format()).join('\n')).toContain(expected);
  });

  it('caps the size of a helper result', () => {
    const session = new TemplateSession(new Map(), false, { ...defaultLimits, maxOutputBytes: 1000 });
    const r = session.render({ file: 't.yaml', source: '{{indent 2000 "x"}}' }, { Values: {} });
    expect(r.errors[0].code).toBe('TOO_LARGE');
  });

  it('each render gets its own Handlebars environment', () => {
    const a = new TemplateSession(new Map([['p', { file: 'a/_p.hbs', source: 'A' }]]), false, defaultLimits);
    const b = new TemplateSession(new Map([['p', { file: 'b/_p.hbs', source: 'B' }]]), false, defaultLimits);
    expect(a.render({ file: 't', source: '{{> p}}' }, {}).output).toBe('A');
    expect(b.render({ file: 't', source: '{{> p}}' }, {}).output).toBe('B');
  });
});
