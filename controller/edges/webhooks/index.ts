export { createWebhookRouter, type WebhookRouterOptions } from './create-webhook-router.js';
export type { PullRequestAction, WebhookEvent, WebhookProvider, WebhookPullRequest } from './webhook-event.js';
export type { WebhookLogger } from './webhook-logger.js';
export { PushRefresher, type PushRefresherOptions } from './push-refresher.js';
