import type { Request } from 'express';
import { githubSignatureValid, secretsEqual } from './constant-time.js';
import { githubEvent } from './github-event.js';
import { gitlabEvent } from './gitlab-event.js';
import type { WebhookEvent, WebhookProvider } from './webhook-event.js';
import { WebhookRequestError } from './webhook-request-error.js';

/** What differs between GitHub and GitLab deliveries; the receiver does the rest alike. */
export interface ProviderSpec {
  name: WebhookProvider;
  /** The variable that configures the secret, for the "not configured" message. */
  secretVariable: string;
  deliveryHeader: string;
  eventHeader: string;
  /** Throws WebhookRequestError (401) unless the request proves it knows the secret. */
  authenticate(req: Request, rawBody: Buffer, secret: string): void;
  toEvent(eventName: string, delivery: string, body: unknown): WebhookEvent | null;
}

export const github: ProviderSpec = {
  name: 'github',
  secretVariable: 'BATON_GITHUB_WEBHOOK_SECRET',
  deliveryHeader: 'x-github-delivery',
  eventHeader: 'x-github-event',
  authenticate(req, rawBody, secret) {
    const signature = req.get('x-hub-signature-256');
    if (!signature) throw new WebhookRequestError('UNAUTHORIZED', 'missing X-Hub-Signature-256 header', 'X-Hub-Signature-256');
    if (!githubSignatureValid(rawBody, signature, secret)) {
      throw new WebhookRequestError('UNAUTHORIZED', 'X-Hub-Signature-256 does not match the body and the configured secret', 'X-Hub-Signature-256');
    }
  },
  toEvent: githubEvent,
};

export const gitlab: ProviderSpec = {
  name: 'gitlab',
  secretVariable: 'BATON_GITLAB_WEBHOOK_TOKEN',
  deliveryHeader: 'x-gitlab-event-uuid',
  eventHeader: 'x-gitlab-event',
  authenticate(req, _rawBody, secret) {
    const token = req.get('x-gitlab-token');
    if (!token) throw new WebhookRequestError('UNAUTHORIZED', 'missing X-Gitlab-Token header', 'X-Gitlab-Token');
    if (!secretsEqual(token, secret)) {
      throw new WebhookRequestError('UNAUTHORIZED', 'X-Gitlab-Token does not match the configured token', 'X-Gitlab-Token');
    }
  },
  toEvent: gitlabEvent,
};
