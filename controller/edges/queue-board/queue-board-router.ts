import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type Router } from 'express';
import { deployTokenAuth, type TokenRoles } from './queue-board-auth.js';

export interface QueueBoardOptions {
  /** The BullMQ queue to show: `SyncQueue.queue`. */
  queue: Queue;
  /** Who may look: deploy-role tokens only (the controller's TokenStore fits). */
  tokens: TokenRoles;
  /** Where the page lives. @defaultValue '/admin/queues' */
  basePath?: string;
}

/**
 * The sync queue in bull-board (waiting, active, delayed, failed and
 * completed jobs with their data and errors), behind deploy-token auth.
 * Read-only: retrying, adding or removing jobs here would bypass the queue's
 * one-job-per-app bookkeeping (SyncQueue), so changes go through the REST API.
 * Mount it at the root: `app.use(queueBoardRouter({ queue, tokens }))`.
 */
export function queueBoardRouter(options: QueueBoardOptions): Router {
  const basePath = (options.basePath ?? '/admin/queues').replace(/\/+$/, '');
  const serverAdapter = new ExpressAdapter().setBasePath(basePath);
  createBullBoard({
    queues: [new BullMQAdapter(options.queue, { readOnlyMode: true, allowRetries: false, description: 'one pending sync per app; the newest commit wins' })],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'baton queues' } },
  });
  const router = express.Router();
  // The cookie is scoped to /admin so it is sent to this page and its assets, never to the REST API.
  router.use(basePath, deployTokenAuth(options.tokens, '/admin'), serverAdapter.getRouter() as Router);
  return router;
}
