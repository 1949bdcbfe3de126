import { describe, expect, it } from 'vitest';
import { desiredRevision, type DesiredRevisionInput } from '../../../../controller/state/desired-revision.js';

describe('desiredRevision', () => {
  const cases: Array<[string, DesiredRevisionInput, string | undefined]> = [
    ['the branch head over the revision a poll job named', { branchHead: 'head', request: { trigger: 'poll', revision: 'old' } }, 'head'],
    ['a pin over the branch head', { pinnedRevision: 'pin', branchHead: 'head', request: { trigger: 'poll', revision: 'old' } }, 'pin'],
    ['a pin over a rollback request', { pinnedRevision: 'pin', request: { trigger: 'rollback', revision: 'back' } }, 'pin'],
    ["a rollback request's revision over the branch head", { branchHead: 'head', request: { trigger: 'rollback', revision: 'back' } }, 'back'],
    ['the job revision when the branch was never read', { request: { trigger: 'webhook', revision: 'pushed' } }, 'pushed'],
    ["a preview's head, whatever else is said", { preview: { headSha: 'pr-head' }, pinnedRevision: undefined, branchHead: 'head' }, 'pr-head'],
    ['the fallback when nothing else names one', { fallback: 'seen' }, 'seen'],
    ['the branch head over the fallback (baton sync)', { branchHead: 'head', fallback: 'seen' }, 'head'],
    ['nothing when nothing is known', { fallback: null }, undefined],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(desiredRevision(input)).toBe(expected);
  });
});
