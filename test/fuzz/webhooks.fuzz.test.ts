import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubExample, gitlabFixture, sendGithub, startTestRedis, startWebhookServer, type TestRedis, type WebhookServer } from '../webhooks/webhook-harness.js';
import { fuzzParameters, reportCases, withinBound } from './fuzz-settings.js';
import { jsonMutation, mutateJson } from './json-mutation.js';

const secret = 'fuzz-github-secret';
const token = 'fuzz-gitlab-token';
const maxBodyBytes = 64 * 1024;
const allowed = new Set([200, 202, 204, 400, 401, 404, 413, 415]);

let redis: TestRedis;
let server: WebhookServer;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startWebhookServer(redis.url, { githubSecret: secret, gitlabToken: token, maxBodyBytes });
});

afterAll(async () => {
  agent.destroy();
  await server?.close();
  await redis?.cleanup();
});

const realPayloads = {
  github: [
    ['push', githubExample('push')],
    ['push', githubExample('push', (p) => typeof p.ref === 'string' && p.ref.startsWith('refs/tags/'))],
    ['pull_request', githubExample('pull_request', (p) => p.action === 'opened')],
    ['pull_request', githubExample('pull_request', (p) => p.action === 'closed')],
    ['pull_request', githubExample('pull_request', (p) => p.action === 'labeled')],
    ['ping', githubExample('ping')],
  ] as Array<[string, unknown]>,
  gitlab: [
    ['Push Hook', JSON.parse(gitlabFixture('push-hook'))],
    ['Tag Push Hook', JSON.parse(gitlabFixture('tag-push-hook'))],
    ['Merge Request Hook', JSON.parse(gitlabFixture('merge-request-hook'))],
  ] as Array<[string, unknown]>,
};

/** Header values Node's client can send: visible ASCII, tab and Latin-1 bytes. */
const headerText = fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })).map((c) => String.fromCharCode(c)), maxLength: 40 });

const body = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('real' as const), index: fc.nat(), mutations: fc.array(jsonMutation, { maxLength: 4 }), pretty: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('form' as const), index: fc.nat(), garbage: fc.option(fc.string({ maxLength: 30 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('big' as const), size: fc.integer({ min: maxBodyBytes - 10, max: maxBodyBytes * 3 }) }) },
);

const delivery = fc.oneof(
  { weight: 6, arbitrary: fc.constant('fresh') },
  { weight: 2, arbitrary: fc.constantFrom('dup-1', 'dup-2') },
  { weight: 2, arbitrary: fc.oneof(headerText, fc.constant(''), fc.constant('x'.repeat(200)), fc.constant('a b')) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const deliveryCase = fc.record({
  provider: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('github', 'gitlab') }, { weight: 1, arbitrary: fc.constantFrom('bitbucket', '', 'github/extra') }),
  method: fc.oneof({ weight: 12, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH') }),
  body,
  event: fc.oneof({ weight: 5, arbitrary: fc.constant('matching') }, { weight: 2, arbitrary: fc.constantFrom('push', 'pull_request', 'ping', 'issues', 'Push Hook', 'Tag Push Hook', 'Merge Request Hook', 'Note Hook', '') }, { weight: 1, arbitrary: headerText }, { weight: 1, arbitrary: fc.constant(undefined) }),
  auth: fc.oneof({ weight: 4, arbitrary: fc.constant('valid' as const) }, { weight: 3, arbitrary: fc.constantFrom('invalid', 'missing', 'other-body', 'malformed', 'padded') }),
  delivery,
  contentType: fc.oneof(fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', undefined), headerText),
  encoding: fc.constantFrom(undefined, undefined, undefined, undefined, 'gzip', 'gzip-garbage', 'deflate-garbage', 'br-garbage', 'bogus', 'identity'),
  chunked: fc.boolean(),
});

type DeliveryCase = typeof deliveryCase extends fc.Arbitrary<infer T> ? T : never;

function bodyOf(c: DeliveryCase, provider: 'github' | 'gitlab'): { event: string; bytes: Buffer } {
  const pool = realPayloads[provider];
  const b = c.body;
  switch (b.kind) {
    case 'real': {
      const [event, payload] = pool[b.index % pool.length];
      const value = mutateJson(payload, b.mutations);
      const text: string | undefined = b.pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
      return { event, bytes: Buffer.from(text ?? '') };
    }
    case 'json':
      return { event: pool[0][0], bytes: Buffer.from(JSON.stringify(b.value) ?? '') };
    case 'bytes':
      return { event: pool[0][0], bytes: Buffer.from(b.bytes) };
    case 'form': {
      const [event, payload] = pool[b.index % pool.length];
      return { event, bytes: Buffer.from(b.garbage ?? `payload=${encodeURIComponent(JSON.stringify(payload))}`) };
    }
    default:
      return { event: pool[0][0], bytes: Buffer.alloc(b.size, 'a') };
  }
}

const sign = (bytes: Buffer) => `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}`;

function send(method: string, path: string, headers: Record<string, string>, bytes: Buffer, chunked: boolean): Promise<{ status: number; text: string; contentType: string; headers: unknown }> {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    // Node frames GET and DELETE bodies only when told how: unframed bytes would start the next request on the socket.
    if (chunked) h['transfer-encoding'] = 'chunked';
    else h['content-length'] = String(bytes.length);
    const req = request(`${server.url}${path}`, { method, headers: h, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? ''), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

describe('webhook receivers fuzz', () => {
  it('answers any delivery with an expected 2xx/4xx and calls onEvent only for authentic ones', { timeout: 900_000 }, async () => {
    let cases = 0;
    const started = Date.now();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(deliveryCase, async (c) => {
        cases++;
        const provider = c.provider === 'gitlab' ? 'gitlab' : 'github';
        const { event, bytes: plain } = bodyOf(c, provider);
        const headers: Record<string, string> = { 'user-agent': 'fuzz' };
        let bytes = plain;
        if (c.encoding === 'gzip') {
          bytes = gzipSync(plain);
          headers['content-encoding'] = 'gzip';
        } else if (c.encoding?.endsWith('-garbage')) {
          headers['content-encoding'] = c.encoding.replace('-garbage', '');
        } else if (c.encoding) headers['content-encoding'] = c.encoding;
        if (c.contentType !== undefined) headers['content-type'] = c.contentType;
        const eventName = c.event === 'matching' ? event : c.event;
        const id = c.delivery === 'fresh' ? randomUUID() : c.delivery;
        let authentic = false;
        if (provider === 'github') {
          if (eventName !== undefined) headers['x-github-event'] = eventName;
          if (id !== undefined) headers['x-github-delivery'] = id;
          // The signature covers the body as the receiver reads it, after Content-Encoding is undone.
          const valid = sign(plain);
          const signature = { valid, invalid: `sha256=${'0'.repeat(64)}`, missing: undefined, 'other-body': sign(Buffer.from('{}')), malformed: valid.slice(7), padded: ` ${valid} ` }[c.auth];
          if (signature !== undefined) headers['x-hub-signature-256'] = signature;
          authentic = c.auth === 'valid' || c.auth === 'padded';
        } else {
          if (eventName !== undefined) headers['x-gitlab-event'] = eventName;
          if (id !== undefined) headers['x-gitlab-event-uuid'] = id;
          const given = { valid: token, invalid: 'not-the-token', missing: undefined, 'other-body': token.toUpperCase(), malformed: `${token}x`, padded: ` ${token} ` }[c.auth];
          if (given !== undefined) headers['x-gitlab-token'] = given;
          authentic = c.auth === 'valid' || c.auth === 'padded';
        }
        const before = server.events.length;
        const path = `/api/webhooks/${c.provider}`;
        const res = await withinBound(`${c.method} ${path}`, () => send(c.method, path, headers, bytes, c.chunked));
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const what = `${c.method} ${path} -> ${res.status} ${res.text.slice(0, 300)}`;
        expect(allowed.has(res.status), what).toBe(true);
        const called = server.events.length - before;
        if (called > 0) expect(authentic && c.provider === provider && c.method === 'POST', `onEvent called for an unauthentic delivery: ${what}`).toBe(true);
        expect(called, what).toBe(res.status === 200 && /"accepted"/.test(res.text) ? 1 : 0);
        if ((c.provider === 'github' || c.provider === 'gitlab') && c.method === 'POST' && res.status >= 400) {
          let parsed: { error?: unknown; code?: unknown };
          try {
            parsed = JSON.parse(res.text) as { error?: unknown; code?: unknown };
          } catch {
            throw new Error(`not JSON: ${what} (content-type ${res.contentType}, headers ${JSON.stringify(res.headers)})`);
          }
          expect(typeof parsed.error === 'string' && typeof parsed.code === 'string', what).toBe(true);
        }
        if (authentic && c.body.kind === 'real' && c.body.mutations.length > 0 && c.method === 'POST' && c.provider === provider && !c.encoding?.endsWith('garbage') && c.encoding !== 'bogus') {
          // A signed real payload with broken fields is refused as bad input or acknowledged, never more.
          expect([200, 202, 400, 413, 415].includes(res.status), what).toBe(true);
        }
      }),
      fuzzParameters(),
    );
    reportCases('webhooks', cases, started);
    console.log(`fuzz webhooks: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    // The receiver still works after everything the fuzzer sent (with a body it has not seen: a seen body is a duplicate).
    const res = await sendGithub(server, 'push', { ...githubExample('push'), before: randomBytes(20).toString('hex') }, secret);
    expect(res).toMatchObject({ status: 200, body: { status: 'accepted' } });
  });
});
