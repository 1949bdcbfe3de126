import { describe, expect, it } from 'vitest';
import { selectorMatches, selectorToString } from '../../runtime/kube/label-selector.js';
import { labelSelectorFromObject, parseLabelSelector } from '../../runtime/store/index.js';
import { StatusError } from '../../runtime/errors/status-error.js';

const labels = { app: 'web', tier: 'frontend', 'example.com/team': 'shop', empty: '' };

describe('parseLabelSelector', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=api', false],
    ['app!=api', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['app in (web,api)', true],
    ['app in (api, db)', false],
    ['missing in (a)', false],
    ['app notin (api,db)', true],
    ['app notin (web)', false],
    ['missing notin (a)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['example.com/team=shop', true],
    ['empty=', true],
    ['app=web,tier=frontend', true],
    ['app=web, tier=backend', false],
    [' app = web , !missing , tier in ( frontend ) ', true],
  ])('%j matches: %s', (selector, expected) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(expected);
  });

  it('treats absent labels as an empty set', () => {
    expect(parseLabelSelector('a!=b').matches(undefined)).toBe(true);
    expect(parseLabelSelector('a').matches(undefined)).toBe(false);
  });

  it.each([
    ['app=web,', 'trailing comma'],
    ['app in web', "expected '('"],
    ['app in (a,b', "missing ')'"],
    ['app in ()', 'must not be empty'],
    ['=web', "unexpected '='"],
    ['app=web tier=x', "expected ','"],
    ['a b', "unexpected 'b'"],
    ['!', "expected a label key after '!'"],
    ['app=we b', "expected ','"],
    ['-bad=x', 'invalid label key "-bad"'],
    ['Bad_Prefix/x=y', 'invalid label key "Bad_Prefix/x"'],
    ['app=-x', 'invalid label value "-x"'],
  ])('%j is a BadRequest mentioning %j', (selector, part) => {
    let error: unknown;
    try {
      parseLabelSelector(selector);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StatusError);
    expect((error as StatusError).code).toBe(400);
    expect((error as StatusError).message).toContain(part);
  });
});

describe('metav1.LabelSelector objects', () => {
  const selector = {
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In' as const, values: ['frontend', 'edge'] },
      { key: 'legacy', operator: 'DoesNotExist' as const },
    ],
  };

  it('matches as Kubernetes does', () => {
    expect(labelSelectorFromObject(selector).matches(labels)).toBe(true);
    expect(labelSelectorFromObject(selector).matches({ ...labels, legacy: 'y' })).toBe(false);
    expect(labelSelectorFromObject(undefined).matches(labels)).toBe(true);
  });

  it('formats to the query-string syntax that parses back to the same meaning', () => {
    const text = selectorToString(selector);
    expect(text).toBe('app=web,tier in (edge,frontend),!legacy');
    for (const l of [labels, { ...labels, legacy: 'y' }, { ...labels, tier: 'edge' }, { ...labels, tier: 'db' }, {}]) {
      expect(parseLabelSelector(text).matches(l)).toBe(labelSelectorFromObject(selector).matches(l));
    }
  });

  it('rejects an unknown operator as a BadRequest, and matches nothing with it in a workload', () => {
    const odd = { matchExpressions: [{ key: 'app', operator: 'Near' as 'In', values: ['web'] }] };
    expect(() => labelSelectorFromObject(odd)).toThrow(StatusError);
    expect(selectorMatches(odd, labels)).toBe(false);
    expect(selectorMatches(undefined, labels)).toBe(false);
    expect(selectorMatches({}, labels)).toBe(true);
  });
});
