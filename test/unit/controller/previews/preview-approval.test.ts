import { describe, expect, it } from 'vitest';
import { bindApproval, type PreviewApproval } from '../../../../controller/previews/preview-approval.js';
import { githubEvent } from '../../../../controller/edges/webhooks/github-event.js';
import { gitlabEvent } from '../../../../controller/edges/webhooks/gitlab-event.js';
import type { LabelChange, WebhookPullRequest } from '../../../../controller/edges/webhooks/webhook-event.js';
import { githubExample, gitlabFixture } from '../../../webhooks/webhook-harness.js';

// Which head a request let through only by the maintainer's label may deploy: the one the label
// was added at, and no later push until the label is added again.

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const NOW = '2026-12-07T20:00:00.000Z';
const approved = (sha: string, label = 'preview', how: PreviewApproval['how'] = 'labeled'): PreviewApproval => ({ label, sha, how, at: '2026-12-01T00:00:00.000Z' });
const event = (headSha: string, added: string[] = [], observed: LabelChange['observed'] = 'event'): Pick<WebhookPullRequest, 'headSha' | 'labelChange'> =>
  added.length > 0 ? { headSha, labelChange: { added, removed: [], observed } } : { headSha };

const HELD_AT_A = 'new commits since the label "preview" was added at aaaaaaa: not deployed until a maintainer adds the label again (remove it and add it)';

const cases: Array<[string, ReturnType<typeof event>, PreviewApproval | undefined, string | undefined, { sha: string; how: PreviewApproval['how']; fresh: boolean; held?: string }]> = [
  ['the labelling event approves its own head', event(A, ['preview']), undefined, undefined, { sha: A, how: 'labeled', fresh: true }],
  ['a push after the label is held at the approved head', event(B), approved(A), A, { sha: A, how: 'labeled', fresh: false, held: HELD_AT_A }],
  ['the approved head itself deploys again (reopened, a retry)', event(A), approved(A), A, { sha: A, how: 'labeled', fresh: false }],
  ['adding the label again approves the new head', event(B, ['preview']), approved(A), A, { sha: B, how: 'labeled', fresh: true }],
  ['another label added approves nothing', event(B, ['bug']), approved(A), A, { sha: A, how: 'labeled', fresh: false, held: HELD_AT_A }],
  ['an approval of another label (forkLabel renamed) does not count', event(B), approved(A, 'ok-to-test'), undefined, { sha: B, how: 'seen', fresh: true }],
  ['first sight, labelled, nothing running: the head seen', event(B), undefined, undefined, { sha: B, how: 'seen', fresh: true }],
  ['first sight, labelled, a preview running (before approvals were kept): the running head', event(B), undefined, A, { sha: A, how: 'seen', fresh: true, held: HELD_AT_A }],
  ['the poller saw the label appear, no approval: the head it sees', event(C, ['preview'], 'poll'), undefined, A, { sha: C, how: 'seen', fresh: true }],
  ['the poller saw the label appear, an approval kept: it is not replaced', event(C, ['preview'], 'poll'), approved(A), A, { sha: A, how: 'labeled', fresh: false, held: HELD_AT_A }],
];

describe('bindApproval', () => {
  it.each(cases)('%s', (_what, pr, recorded, running, want) => {
    const bound = bindApproval('preview', pr, recorded, running, NOW);
    expect({ sha: bound.approval.sha, how: bound.approval.how, fresh: bound.fresh, ...(bound.held ? { held: bound.held } : {}) }).toEqual(want);
    expect(bound.approval.label).toBe('preview');
  });
});

describe('label changes read from real payloads', () => {
  it('GitHub labeled and unlabeled name the one label, at the head of the request then', () => {
    const labeled = githubExample('pull_request', (p) => p.action === 'labeled') as any;
    expect(githubEvent('pull_request', 'd', labeled)!.pullRequest).toMatchObject({
      action: 'labeled',
      headSha: labeled.pull_request.head.sha,
      labelChange: { added: [labeled.label.name], removed: [], observed: 'event' },
    });
    const unlabeled = githubExample('pull_request', (p) => p.action === 'unlabeled') as any;
    expect(githubEvent('pull_request', 'd', unlabeled)!.pullRequest).toMatchObject({ action: 'unlabeled', labelChange: { added: [], removed: [unlabeled.label.name] } });
    const synchronize = githubExample('pull_request', (p) => p.action === 'synchronize');
    expect(githubEvent('pull_request', 'd', synchronize)!.pullRequest!.labelChange).toBeUndefined();
  });

  it("GitLab's label change is an update whose changes.labels hold before and after", () => {
    const payload = JSON.parse(gitlabFixture('merge-request-hook'));
    payload.object_attributes.action = 'update';
    // The documented payload swaps API for Platform.
    expect(gitlabEvent('Merge Request Hook', 'd', payload)!.pullRequest).toMatchObject({
      action: 'synchronize',
      headSha: payload.object_attributes.last_commit.id,
      labelChange: { added: ['Platform'], removed: ['API'], observed: 'event' },
    });
    delete payload.changes.labels;
    expect(gitlabEvent('Merge Request Hook', 'd', payload)!.pullRequest!.labelChange).toBeUndefined();
  });
});
