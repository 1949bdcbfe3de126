import { Router } from 'express';
import { describe, expect, it } from 'vitest';
import { apiPath } from '../../../../../controller/edges/api/api-path.js';
import { apiRoute } from '../../../../../controller/edges/api/api-route.js';
import type { HealthStatus, SyncStatus } from '../../../../../controller/edges/api/contract.js';
import type * as spec from '../../../../../controller/apps/app-spec.js';

/** true only when A and B are the same type: a status added on one side alone fails typecheck here. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _statusesMatch: [Same<SyncStatus, spec.SyncStatus>, Same<HealthStatus, spec.HealthStatus>] = [true, true];

describe('the REST contract', () => {
  it('turns a route and its input into the path a client requests', () => {
    const cases: [string, string][] = [
      [apiPath('GET /apps'), '/api/v1/apps'],
      [apiPath('GET /apps/:name', { params: { name: 'pr-7.web' } }), '/api/v1/apps/pr-7.web'],
      [apiPath('GET /apps/:name/history', { params: { name: 'a b' }, query: { limit: 1 } }), '/api/v1/apps/a%20b/history?limit=1'],
      [apiPath('GET /apps/:name/history', { params: { name: 'web' }, query: { limit: undefined } }), '/api/v1/apps/web/history'],
      [apiPath('GET /apps/:name/logs', { params: { name: 'web' }, query: { tail: '20', container: 'app' } }), '/api/v1/apps/web/logs?tail=20&container=app'],
      [apiPath('GET /events', { query: { app: 'web' } }), '/api/v1/events?app=web'],
    ];
    for (const [got, want] of cases) expect(got).toBe(want);
  });

  it('refuses at typecheck a handler that answers another shape or reads a param its path lacks', () => {
    const router = Router();
    // @ts-expect-error a role the contract does not know
    apiRoute(router, 'GET /whoami', (_req, res) => void res.json({ role: 'admin' }));
    // @ts-expect-error an AppDetail needs every field
    apiRoute(router, 'GET /apps/:name', (req, res) => void res.json({ name: req.params.name }));
    // @ts-expect-error /commits/:sha has no :name
    apiRoute(router, 'GET /commits/:sha', (req) => void req.params.name);
    // @ts-expect-error a route the contract does not have
    apiRoute(router, 'GET /nowhere', () => {});
    expect(router.stack.map((layer) => layer.route?.path)).toEqual(['/whoami', '/apps/:name', '/commits/:sha', '/nowhere']);
  });
});
