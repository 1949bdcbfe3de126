import { describe, expect, it } from 'vitest';
import { parseBatonYaml } from '../../../../controller/apps/parse-baton-yaml.js';
import { DEFAULT_PREVIEW_SETTINGS, type PreviewSettings } from '../../../../controller/apps/preview-settings.js';
import { previewGate } from '../../../../controller/previews/preview-gate.js';
import { githubEvent } from '../../../../controller/edges/webhooks/github-event.js';
import { gitlabEvent } from '../../../../controller/edges/webhooks/gitlab-event.js';
import type { WebhookPullRequest } from '../../../../controller/edges/webhooks/webhook-event.js';
import { githubExample, gitlabFixture } from '../../../webhooks/webhook-harness.js';

// Real payloads (@octokit/webhooks-examples, GitLab's documented Merge Request Hook) through the
// receiver's parsers, then the repository's previews settings: deploy or not, and why.

function github(association: string, options: { fork?: boolean; labels?: string[] } = {}): WebhookPullRequest {
  const payload = githubExample('pull_request', (p) => p.action === 'opened') as any;
  payload.pull_request.author_association = association;
  if (options.fork) payload.pull_request.head.repo = { ...payload.pull_request.base.repo, id: 999_999 };
  payload.pull_request.labels = (options.labels ?? []).map((name, i) => ({ id: i + 1, name }));
  return githubEvent('pull_request', 'd', payload)!.pullRequest!;
}

function gitlab(options: { fork?: boolean; labels?: string[] } = {}): WebhookPullRequest {
  const payload = JSON.parse(gitlabFixture('merge-request-hook'));
  if (options.fork) payload.object_attributes.source_project_id = 15;
  payload.labels = (options.labels ?? []).map((title) => ({ title }));
  return gitlabEvent('Merge Request Hook', 'd', payload)!.pullRequest!;
}

const settings = (s: Partial<PreviewSettings> = {}): PreviewSettings => ({ ...DEFAULT_PREVIEW_SETTINGS, ...s });

const cases: Array<[string, PreviewSettings, WebhookPullRequest, boolean, RegExp?]> = [
  ['default: a same-repository branch by anyone deploys', settings(), github('NONE'), true],
  ['default: a fork does not, even by the owner', settings(), github('OWNER', { fork: true }), false, /comes from a fork.*"preview"/],
  ['default: a fork with the label deploys', settings(), github('NONE', { fork: true, labels: ['preview'] }), true],
  ['none: a first-timer deploys', settings({ require: 'none' }), github('FIRST_TIME_CONTRIBUTOR'), true],
  ['label: the owner needs the label too', settings({ require: 'label' }), github('OWNER'), false, /previews\.require: label.*"preview"/],
  ['label: with the label', settings({ require: 'label' }), github('CONTRIBUTOR', { labels: ['preview'] }), true],
  ['label: the configured label name', settings({ require: 'label', forkLabel: 'safe-to-test' }), github('OWNER', { labels: ['preview'] }), false, /"safe-to-test"/],
  ['collaborator: OWNER', settings({ require: 'collaborator' }), github('OWNER'), true],
  ['collaborator: MEMBER', settings({ require: 'collaborator' }), github('MEMBER'), true],
  ['collaborator: COLLABORATOR', settings({ require: 'collaborator' }), github('COLLABORATOR'), true],
  ['collaborator: CONTRIBUTOR (merged before, no push rights)', settings({ require: 'collaborator' }), github('CONTRIBUTOR'), false, /cannot push/],
  ['collaborator: FIRST_TIMER', settings({ require: 'collaborator' }), github('FIRST_TIMER'), false, /cannot push/],
  ['collaborator: NONE with the label', settings({ require: 'collaborator' }), github('NONE', { labels: ['preview'] }), true],
  ['collaborator + forks: a fork by a collaborator', settings({ require: 'collaborator', forks: true }), github('COLLABORATOR', { fork: true }), true],
  ['collaborator + forks: a fork by a stranger', settings({ require: 'collaborator', forks: true }), github('NONE', { fork: true }), false, /cannot push/],
  ['GitLab collaborator: a merge request from the project itself', settings({ require: 'collaborator' }), gitlab(), true],
  ['GitLab collaborator: from a fork, forks allowed', settings({ require: 'collaborator', forks: true }), gitlab({ fork: true }), false, /cannot push/],
  ['GitLab label: the documented request carries label API only', settings({ require: 'label' }), gitlab({ labels: ['API'] }), false, /require: label/],
  ['GitLab label: with the label', settings({ require: 'label' }), gitlab({ labels: ['preview'] }), true],
];

describe('previewGate', () => {
  it.each(cases)('%s', (_what, s, pr, deploy, reason) => {
    const decision = previewGate(s, pr);
    expect(decision.deploy).toBe(deploy);
    if (reason) expect(decision.deploy ? '' : decision.reason).toMatch(reason);
  });

  // byLabel: the request deploys only the head the label was added at (preview-approval.ts); the others deploy every push.
  it.each([
    ['a fork with the label', settings(), github('NONE', { fork: true, labels: ['preview'] }), true],
    ['a fork with forks: true, labelled anyway', settings({ forks: true }), github('NONE', { fork: true, labels: ['preview'] }), false],
    ['a same-repository branch, require: none, labelled anyway', settings(), github('NONE', { labels: ['preview'] }), false],
    ['require: label', settings({ require: 'label' }), github('OWNER', { labels: ['preview'] }), true],
    ['require: collaborator, a collaborator labelled anyway', settings({ require: 'collaborator' }), github('MEMBER', { labels: ['preview'] }), false],
    ['require: collaborator, a stranger with the label', settings({ require: 'collaborator' }), github('NONE', { labels: ['preview'] }), true],
    ['a fork by a collaborator, forks off, labelled', settings({ require: 'collaborator' }), github('COLLABORATOR', { fork: true, labels: ['preview'] }), true],
  ] as Array<[string, PreviewSettings, WebhookPullRequest, boolean]>)('byLabel: %s', (_what, s, pr, byLabel) => {
    expect(previewGate(s, pr)).toEqual({ deploy: true, byLabel });
  });
});

describe('baton.yaml previews.require', () => {
  it('takes label, collaborator or none, and reports anything else at its line', () => {
    expect(parseBatonYaml('apps: []\npreviews: { require: collaborator }\n', 'baton.yaml', 'r').previews.require).toBe('collaborator');
    expect(parseBatonYaml('apps: []\n', 'baton.yaml', 'r').previews.require).toBeUndefined();
    const { errors } = parseBatonYaml('apps: []\npreviews:\n  require: maintainers\n  requires: label\n', 'baton.yaml', 'r');
    expect(errors.map((e) => e.format())).toEqual([
      expect.stringMatching(/^baton\.yaml:3:12: .*previews\.require.*one of label, collaborator, none/),
      expect.stringMatching(/^baton\.yaml:4:3: .*previews\.requires.*did you mean "require"/),
    ]);
  });
});
