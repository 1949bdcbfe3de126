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
  /**
   * Throws WebhookRequestError (401) for what headers alone show is not
   * authentic; runs before the body is read, so a stranger cannot make baton read 25 MB.
   */
  checkHeaders(req: Request, secret: string): void;
  /** Throws WebhookRequestError (401) unless the request proves it knows the secret. */
  authenticate(req: Request, rawBody: Buffer, secret: string): void;
  toEvent(eventName: string, delivery: string, body: unknown): WebhookEvent | null;
}

export const github: ProviderSpec = {
  name: 'github',
  secretVariable: 'BATON_GITHUB_WEBHOOK_SECRET',
  deliveryHeader: 'x-github-delivery',
  eventHeader: 'x-github-event',
  checkHeaders(req) {
    if (!req.get('x-hub-signature-256')) {
      throw new WebhookRequestError('UNAUTHORIZED', 'missing X-Hub-Signature-256 header', 'X-Hub-Signature-256');
    }
  },
  authenticate(req, rawBody, secret) {
    if (!githubSignatureValid(rawBody, req.get('x-hub-signature-256')!, secret)) {
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
  // The token is a header: the whole check happens before the body is read.
  checkHeaders(req, secret) {
    const token = req.get('x-gitlab-token');
    if (!token) throw new WebhookRequestError('UNAUTHORIZED', 'missing X-Gitlab-Token header', 'X-Gitlab-Token');
    if (!secretsEqual(token, secret)) {
      throw new WebhookRequestError('UNAUTHORIZED', 'X-Gitlab-Token does not match the configured token', 'X-Gitlab-Token');
    }
  },
  authenticate() {},
  toEvent: gitlabEvent,
};
