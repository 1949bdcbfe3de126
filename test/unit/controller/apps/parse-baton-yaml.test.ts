import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAppFlag, parseAppFlags } from '../../../../controller/apps/parse-app-flag.js';
import { parseBatonYaml } from '../../../../controller/apps/parse-baton-yaml.js';
import { orderApps } from '../../../../controller/plan/order-apps.js';

const parse = (text: string) => parseBatonYaml(text, 'baton.yaml', 'repo-1');

describe('parseBatonYaml', () => {
  it('fills in every default from the architecture', () => {
    const { apps, errors } = parse('apps:\n  - name: catalog\n    path: ./apps/catalog/\n');
    expect(errors).toEqual([]);
    expect(apps).toEqual([
      {
        name: 'catalog',
        repository: 'repo-1',
        path: 'apps/catalog',
        namespace: 'catalog',
        cluster: 'local',
        values: [],
        set: {},
        syncPolicy: { automated: true, prune: true, selfHeal: true, allowEmpty: false, pruneLimit: '50%' },
        rollout: { progressDeadlineSeconds: 120, autoRollback: true },
        dependsOn: [],
        preview: { enabled: false, values: {} },
        declaredAt: { file: 'baton.yaml', line: 2, col: 5 },
      },
    ]);
  });

  it('keeps what the user set', () => {
    const { apps, errors } = parse(`apps:
  - name: web
    chart: web-service
    revision: v1.2.0
    namespace: shop
    cluster: prod-eu
    values: [env/prod.yaml, env/web.yaml]
    set: { replicas: 3 }
    syncPolicy: { prune: false }
    rollout: { progressDeadlineSeconds: 300, autoRollback: false }
    preview: { enabled: true, values: { replicas: 1 } }
`);
    expect(errors).toEqual([]);
    expect(apps[0]).toMatchObject({
      chart: 'web-service',
      revision: 'v1.2.0',
      namespace: 'shop',
      cluster: 'prod-eu',
      values: ['env/prod.yaml', 'env/web.yaml'],
      set: { replicas: 3 },
      syncPolicy: { automated: true, prune: false, selfHeal: true, allowEmpty: false, pruneLimit: '50%' },
      rollout: { progressDeadlineSeconds: 300, autoRollback: false },
      preview: { enabled: true, values: { replicas: 1 } },
    });
    expect(apps[0].path).toBeUndefined();
  });

  const header = 'apps:\n  - name: ok\n    path: apps/ok\n';
  const cases: { name: string; text: string; errors: string[]; code: string }[] = [
    { name: 'YAML syntax', text: 'apps:\n  - name: a\n   path: b\n', errors: ['baton.yaml:3:1: Sequence item without - indicator'], code: 'YAML_SYNTAX' },
    { name: 'duplicate key', text: 'apps:\n  - name: a\n    name: b\n    path: p\n', errors: ['baton.yaml:3:5: Map keys must be unique'], code: 'YAML_SYNTAX' },
    { name: 'two documents', text: 'apps: []\n---\napps: []\n', errors: ['baton.yaml:2:1: baton.yaml holds one YAML document; remove the second "---"'], code: 'YAML_SYNTAX' },
    { name: 'not a map', text: '- a\n', errors: ['baton.yaml:1:1: must be a map with an `apps` list'], code: 'INVALID_VALUE' },
    { name: 'no apps', text: 'other: 1\n', errors: ['baton.yaml:1:1: other: unknown field; a baton.yaml holds an `apps` list', 'baton.yaml:1:1: apps: is required: a list of applications'], code: 'UNKNOWN_FIELD' },
    { name: 'apps not a list', text: 'apps: {a: 1}\n', errors: ['baton.yaml:1:7: apps: must be a list of applications'], code: 'INVALID_VALUE' },
    { name: 'top-level typo', text: `${header}aps: []\n`, errors: ['baton.yaml:4:1: aps: unknown field (did you mean "apps"?)'], code: 'UNKNOWN_FIELD' },
    {
      name: 'bad name',
      text: `${header}  - name: Catalog_1\n    path: p\n`,
      errors: ["baton.yaml:4:11: apps[1].name: must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters"],
      code: 'INVALID_VALUE',
    },
    {
      name: "a preview's namespace",
      text: `${header}  - name: x\n    path: p\n    namespace: pr-7\n`,
      errors: ['baton.yaml:6:16: apps[1].namespace: namespace "pr-7" is reserved for the preview of pull/merge request #7 (previews live in pr-<number>): choose another namespace'],
      code: 'INVALID_VALUE',
    },
    {
      name: "a name that would default the namespace to a preview's",
      text: `${header}  - name: pr-12\n    path: p\n`,
      errors: ['baton.yaml:4:11: apps[1].name: the app\'s namespace defaults to its name, and namespace "pr-12" is reserved for the preview of pull/merge request #12 (previews live in pr-<number>): set namespace to another'],
      code: 'INVALID_VALUE',
    },
    { name: 'missing name', text: `${header}  - path: p\n`, errors: ['baton.yaml:4:5: apps[1].name: is required'], code: 'MISSING_FIELD' },
    {
      name: 'neither path nor chart',
      text: `${header}  - name: x\n`,
      errors: ['baton.yaml:4:5: apps[1]: needs exactly one of path (manifests or a chart in the repository) or chart (a chart bundled with baton)'],
      code: 'MISSING_FIELD',
    },
    { name: 'both path and chart', text: `${header}  - name: x\n    path: p\n    chart: web-service\n`, errors: ['baton.yaml:6:5: apps[1].chart: give path or chart, not both'], code: 'INVALID_VALUE' },
    {
      name: 'absolute path',
      text: `${header}  - name: x\n    path: /etc\n`,
      errors: ['baton.yaml:5:11: apps[1].path: must be relative to the repository root, not an absolute path ("/etc")'],
      code: 'INVALID_VALUE',
    },
    {
      name: 'values file escaping the repository',
      text: `${header}  - name: x\n    chart: web-service\n    values: [a.yaml, ../secrets.yaml]\n`,
      errors: ['baton.yaml:6:22: apps[1].values[1]: must stay inside the repository: ".." is not allowed ("../secrets.yaml")'],
      code: 'INVALID_VALUE',
    },
    {
      name: 'deadline not a positive integer',
      text: `${header}  - name: x\n    path: p\n    rollout:\n      progressDeadlineSeconds: 0\n`,
      errors: ['baton.yaml:7:32: apps[1].rollout.progressDeadlineSeconds: must be a positive integer'],
      code: 'INVALID_VALUE',
    },
    {
      name: 'deadline a string',
      text: `${header}  - name: x\n    path: p\n    rollout: { progressDeadlineSeconds: "120" }\n`,
      errors: ['baton.yaml:6:41: apps[1].rollout.progressDeadlineSeconds: must be a positive integer'],
      code: 'INVALID_VALUE',
    },
    { name: 'boolean as a string', text: `${header}  - name: x\n    path: p\n    syncPolicy: { prune: "no" }\n`, errors: ['baton.yaml:6:26: apps[1].syncPolicy.prune: must be true or false'], code: 'INVALID_VALUE' },
    { name: 'empty map field', text: `${header}  - name: x\n    path: p\n    rollout:\n`, errors: ['baton.yaml:6:5: apps[1].rollout: must be a map'], code: 'INVALID_VALUE' },
    { name: 'set not a map', text: `${header}  - name: x\n    chart: c\n    set: [1]\n`, errors: ['baton.yaml:6:10: apps[1].set: must be a map of values'], code: 'INVALID_VALUE' },
    { name: 'app field typo', text: `${header}  - name: x\n    path: p\n    dependson: [ok]\n`, errors: ['baton.yaml:6:5: apps[1].dependson: unknown field (did you mean "dependsOn"?)'], code: 'UNKNOWN_FIELD' },
    {
      name: 'nested field typo',
      text: `${header}  - name: x\n    path: p\n    syncPolicy:\n      automatic: true\n`,
      errors: ['baton.yaml:7:7: apps[1].syncPolicy.automatic: unknown field (did you mean "automated"?)'],
      code: 'UNKNOWN_FIELD',
    },
    {
      name: 'duplicate app name',
      text: `${header}  - name: ok\n    path: p\n`,
      errors: ['baton.yaml:4:11: apps[1].name: duplicate app name "ok": already declared at baton.yaml:2:11'],
      code: 'DUPLICATE_APP',
    },
    { name: 'unknown dependency', text: `${header}  - name: x\n    path: p\n    dependsOn: [ok, okk]\n`, errors: ['baton.yaml:6:21: apps[1].dependsOn[1]: no app named "okk" (did you mean "ok"?)'], code: 'UNKNOWN_DEPENDENCY' },
    {
      name: 'dependency cycle',
      text: 'apps:\n  - { name: c, path: p, dependsOn: [a] }\n  - { name: a, path: p, dependsOn: [b] }\n  - { name: b, path: p, dependsOn: [c] }\n',
      errors: ['baton.yaml:3:36: apps[1].dependsOn: dependency cycle: a → b → c → a'],
      code: 'DEPENDENCY_CYCLE',
    },
    { name: 'depends on itself', text: 'apps:\n  - { name: a, path: p, dependsOn: [a] }\n', errors: ['baton.yaml:2:36: apps[0].dependsOn: dependency cycle: a → a'], code: 'DEPENDENCY_CYCLE' },
  ];
  it.each(cases)('$name', ({ text, errors, code }) => {
    const result = parse(text);
    expect(result.errors.map((e) => e.format())).toEqual(errors);
    expect(result.errors[0].code).toBe(code);
  });

  it('reserves only the namespaces previews use: pr-0, pr-07, pr-7a and pr-docs stay apps\' to take', () => {
    const { apps, errors } = parse(`apps:\n${['pr-0', 'pr-07', 'pr-7a', 'pr-docs'].map((ns, i) => `  - name: a${i}\n    path: p\n    namespace: ${ns}\n`).join('')}`);
    expect(errors).toEqual([]);
    expect(apps.map((a) => a.namespace)).toEqual(['pr-0', 'pr-07', 'pr-7a', 'pr-docs']);
  });

  it('reports every mistake of one app at once, and keeps the good apps', () => {
    const result = parse(`${header}  - name: Bad\n    path: /x\n    rollout: { autoRollback: 1 }\n`);
    expect(result.errors.map((e) => e.format())).toEqual([
      "baton.yaml:4:11: apps[1].name: must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
      'baton.yaml:5:11: apps[1].path: must be relative to the repository root, not an absolute path ("/x")',
      'baton.yaml:6:30: apps[1].rollout.autoRollback: must be true or false',
    ]);
    expect(result.apps.map((a) => a.name)).toEqual(['ok']);
  });

  it('gives errors structured data', () => {
    const [e] = parse(`${header}  - name: x\n    path: p\n    rollout: { progressDeadlineSeconds: -1 }\n`).errors;
    expect(e.data).toEqual({ file: 'baton.yaml', line: 6, col: 41, path: 'apps[1].rollout.progressDeadlineSeconds' });
  });

  it('reads the example repository: 15 apps in an order that respects dependsOn', () => {
    const text = readFileSync(new URL('../../../../examples-repo/baton.yaml', import.meta.url), 'utf8');
    const { apps, errors } = parse(text);
    expect(errors).toEqual([]);
    expect(apps).toHaveLength(15);
    const order = orderApps(apps).map((a) => a.name);
    for (const app of apps) for (const dep of app.dependsOn) expect(order.indexOf(dep)).toBeLessThan(order.indexOf(app.name));
    expect(order[order.length - 1]).toBe('gateway');
    expect(apps.find((a) => a.name === 'payments')?.syncPolicy.prune).toBe(false);
  });
});

describe('parseAppFlag', () => {
  it('takes NAME=PATH with defaults', () => {
    const { app, errors } = parseAppFlag('catalog=apps/catalog,namespace=shop', 'repo-1');
    expect(errors).toEqual([]);
    expect(app).toMatchObject({ name: 'catalog', path: 'apps/catalog', namespace: 'shop', cluster: 'local', repository: 'repo-1' });
  });

  it('takes a bundled chart with values files', () => {
    const { app } = parseAppFlag('web,chart=web-service,values=a.yaml,values=b.yaml', 'r');
    expect(app).toMatchObject({ name: 'web', chart: 'web-service', values: ['a.yaml', 'b.yaml'], namespace: 'web' });
  });

  it.each([
    { flag: 'catalog=apps/catalog,namespce=shop', error: '--app:1:22: namespce: unknown field (did you mean "namespace"?)' },
    { flag: 'catalog=apps/catalog,namespace=Shop', error: "--app:1:32: namespace: must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters" },
    { flag: 'catalog', error: '--app:1:1: needs exactly one of path (manifests or a chart in the repository) or chart (a chart bundled with baton)' },
    { flag: 'catalog=../x', error: '--app:1:9: path: must stay inside the repository: ".." is not allowed ("../x")' },
    { flag: 'catalog=x,shop', error: '--app:1:11: "shop" is not KEY=VALUE; write --app NAME=PATH[,namespace=NS][,cluster=C][,revision=REV][,values=FILE]…' },
  ])('$flag', ({ flag, error }) => {
    expect(parseAppFlag(flag, 'r').errors.map((e) => e.format())).toEqual([error]);
  });

  it('checks several flags together', () => {
    const { apps, errors } = parseAppFlags(['a=p', 'a=q'], 'r');
    expect(apps.map((a) => a.path)).toEqual(['p']);
    expect(errors.map((e) => e.format())).toEqual(['--app:2:1: name: duplicate app name "a": already declared at --app:1:1']);
  });
});
