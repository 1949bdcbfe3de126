import type { AppSpec } from './app-spec.js';
import { checkAppSet, type DeclaredApp } from './check-app-set.js';
import { ConfigError } from './config-error.js';
import { closestName, type FieldPath } from './field-path.js';
import { validateApp } from './validate-app.js';

/** Keys an `--app` flag may set after its `NAME=PATH`; `values` may repeat. */
const flagKeys = ['path', 'chart', 'namespace', 'cluster', 'revision', 'values'];

/**
 * One app from the command line, for running without a `baton.yaml`:
 * `NAME=PATH[,namespace=NS][,cluster=C][,revision=REV][,values=FILE]…`, or
 * `NAME,chart=CHART[,values=FILE]…` for a bundled chart. Everything not given
 * takes its `baton.yaml` default. Errors are located as `--app:N:COL`, N
 * being the flag's number among the `--app` flags.
 */
export function parseAppFlag(flag: string, repository: string, ordinal = 1): { app?: AppSpec; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const site = flagSite(flag, ordinal, errors);
  const app = site && validateApp(site.raw, site.site, repository, errors);
  return app ? { app, errors } : { errors };
}

/** Several `--app` flags: each as parseAppFlag, and together as in a `baton.yaml` (unique names, dependsOn). */
export function parseAppFlags(flags: string[], repository: string): { apps: AppSpec[]; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const declared: DeclaredApp[] = [];
  flags.forEach((flag, i) => {
    const site = flagSite(flag, i + 1, errors);
    const app = site && validateApp(site.raw, site.site, repository, errors);
    if (site && app) declared.push({ app, site: site.site });
  });
  return { apps: checkAppSet(declared, errors), errors };
}

function flagSite(flag: string, ordinal: number, errors: ConfigError[]): { raw: Record<string, unknown>; site: DeclaredApp['site'] } | undefined {
  const before = errors.length;
  const at = (col: number) => ({ file: '--app', line: ordinal, col });
  const raw: Record<string, unknown> = {};
  const keyCol = new Map<string, number>();
  const valueCol = new Map<string, number>();
  let offset = 0;
  flag.split(',').forEach((item, i) => {
    const col = offset + 1;
    offset += item.length + 1;
    const eq = item.indexOf('=');
    if (i === 0) {
      raw.name = eq < 0 ? item : item.slice(0, eq);
      keyCol.set('name', col);
      valueCol.set('name', col);
      if (eq >= 0) {
        raw.path = item.slice(eq + 1);
        keyCol.set('path', col + eq + 1);
        valueCol.set('path', col + eq + 1);
      }
      return;
    }
    if (eq <= 0) {
      errors.push(ConfigError.at('BAD_FLAG', at(col), '', `"${item}" is not KEY=VALUE; write --app NAME=PATH[,namespace=NS][,cluster=C][,revision=REV][,values=FILE]…`));
      return;
    }
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (!flagKeys.includes(key)) {
      const hint = closestName(key, flagKeys);
      errors.push(ConfigError.at('UNKNOWN_FIELD', at(col), key, `unknown field${hint ? ` (did you mean "${hint}"?)` : `; an --app flag takes ${flagKeys.join(', ')}`}`, { field: key }));
      return;
    }
    if (key === 'values') {
      const list = (raw.values ??= []) as string[];
      keyCol.set(`values.${list.length}`, col);
      valueCol.set(`values.${list.length}`, col + eq + 1);
      list.push(value);
      return;
    }
    if (key in raw) {
      errors.push(ConfigError.at('BAD_FLAG', at(col), key, 'given twice'));
      return;
    }
    raw[key] = value;
    keyCol.set(key, col);
    valueCol.set(key, col + eq + 1);
  });
  if (errors.length > before) return undefined;
  const locate = (path: FieldPath, where: 'key' | 'value') => {
    const cols = where === 'key' ? keyCol : valueCol;
    return { line: ordinal, col: cols.get(path.join('.')) ?? cols.get(String(path[0])) ?? 1 };
  };
  return { raw, site: { file: '--app', prefix: [], locate } };
}
