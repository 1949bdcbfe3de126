import { describe, expect, it } from 'vitest';
import { createLogger } from '../../controller/observe/logging/create-logger.js';
import { KnownSecrets } from '../../controller/censor/known-secrets.js';
import { withLogContext } from '../../controller/observe/logging/log-context.js';

const GIT_TOKEN = 'ghp_R3alLooking1TokenValue0123456789';
const API_TOKEN = 'baton-api-7f3c9e1d2b4a6c8e0f1a3b5c';
const WEBHOOK_SECRET = 'whsec "quoted" \\ and ünïcode';
const DB_PASSWORD = 'correct-horse-battery-staple';
const URL_PASSWORD = 'n0tKnownBefore!x';

function capture(options: { pretty?: boolean } = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'test',
    level: 'debug',
    pretty: options.pretty ?? false,
    destination: { write: (s: string) => void lines.push(s) },
    env: { BATON_GIT_TOKEN: GIT_TOKEN, BATON_GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, HOME: '/root' },
    secrets: [API_TOKEN],
    knownSecrets: new KnownSecrets(),
  });
  return { logger, lines, text: () => lines.join('') };
}

const forms = (v: string) => [v, Buffer.from(v).toString('base64'), encodeURIComponent(v), JSON.stringify(v).slice(1, -1)];

function expectAbsent(text: string, ...values: string[]) {
  for (const value of values) for (const form of forms(value)) expect(text, `"${form}" leaked`).not.toContain(form);
}

describe('createLogger keeps secrets out of log lines', () => {
  it('hides Kubernetes Secret data and stringData, and remembers them for later lines', () => {
    const { logger, text, lines } = capture();
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      data: { password: Buffer.from(DB_PASSWORD).toString('base64') },
      stringData: { url: `postgres://app:${DB_PASSWORD}@db:5432/shop` },
    };
    logger.info({ objects: [secret] }, 'applying');
    // The same value later, as plain text in an error nobody marked as secret.
    logger.error({ err: new Error(`db rejected login with ${DB_PASSWORD}`) }, 'health gate failed');
    expectAbsent(text(), DB_PASSWORD);
    const first = JSON.parse(lines[0]);
    expect(first.objects[0].metadata.name).toBe('db');
    expect(first.objects[0].data.password).toBe('[REDACTED]');
    expect(JSON.parse(lines[1]).err.message).toBe('db rejected login with [REDACTED]');
  });

  it('hides the values of Secrets a sync registered before they reach any line', () => {
    const secrets = new KnownSecrets();
    const lines: string[] = [];
    const logger = createLogger({ name: 'sync', destination: { write: (s: string) => void lines.push(s) }, env: {}, knownSecrets: secrets });
    secrets.addFromObject({ kind: 'Secret', data: { key: Buffer.from('sk_live_rendered_only').toString('base64') }, stringData: { other: 'plain-string-data' } });
    logger.error(`apply failed: invalid value "sk_live_rendered_only" and plain-string-data`);
    expectAbsent(lines.join(''), 'sk_live_rendered_only', 'plain-string-data');
  });

  it('hides authorization headers and secret-named fields at any depth', () => {
    const { logger, text, lines } = capture();
    logger.info({ req: { method: 'GET', headers: { authorization: `Bearer ${API_TOKEN}` } } }, 'request');
    logger.info({ call: { options: { headers: { Authorization: 'token abcdefgh12345678' } } } }, 'upstream');
    logger.info({ repo: { url: 'https://example.com/x.git', tokenEnv: 'BATON_GIT_TOKEN', credentials: { username: 'bot', password: 'pa55word-xyz' } } });
    expectAbsent(text(), API_TOKEN, 'abcdefgh12345678', 'pa55word-xyz');
    // Where a secret comes from is not a secret, and helps debugging.
    expect(JSON.parse(lines[2]).repo.tokenEnv).toBe('BATON_GIT_TOKEN');
  });

  it('hides known secret values inside messages, error messages and stacks', () => {
    const { logger, text } = capture();
    const err = new Error(`git fetch failed: remote said ${GIT_TOKEN} is expired`);
    logger.error({ err }, `while using ${GIT_TOKEN}`);
    logger.warn(`webhook secret mismatch, expected ${WEBHOOK_SECRET}`);
    logger.info({ note: `api token ${API_TOKEN}` });
    expectAbsent(text(), GIT_TOKEN, WEBHOOK_SECRET, API_TOKEN);
    expect(text()).toContain('git fetch failed');
  });

  it('hides credentials in URLs and Authorization values written as text', () => {
    const { logger, text } = capture();
    logger.info(`cloning https://x-access-token:${URL_PASSWORD}@github.com/acme/shop.git`);
    logger.info({ url: `http://alice:${URL_PASSWORD}@127.0.0.1:8080/repo.git` }, 'fetch');
    logger.info('sent Authorization: Basic YWxpY2U6bjB0S25vd25CZWZvcmUheA==');
    expectAbsent(text(), URL_PASSWORD, 'YWxpY2U6bjB0S25vd25CZWZvcmUheA');
    expect(text()).toContain('github.com/acme/shop.git');
  });

  it('censors pretty output as well', () => {
    const { logger, text } = capture({ pretty: true });
    logger.info({ err: new Error(`token ${GIT_TOKEN}`) }, `using ${API_TOKEN}`);
    expectAbsent(text(), GIT_TOKEN, API_TOKEN);
    expect(text()).toContain('using [REDACTED]');
    expect(() => JSON.parse(text())).toThrow();
  });

  it('writes one JSON object per line, with the context of child loggers', () => {
    const { logger, lines } = capture();
    const job = withLogContext(logger, { app: 'catalog', revision: 'abc1234', jobId: '17', repository: undefined });
    job.info({ waitMs: 5 }, 'sync started');
    job.child({ leaked: GIT_TOKEN }).info('child binding');
    const [line, second] = lines.map((l) => JSON.parse(l));
    expect(line).toMatchObject({ name: 'test', level: 30, app: 'catalog', revision: 'abc1234', jobId: '17', waitMs: 5, msg: 'sync started' });
    expect(line).not.toHaveProperty('repository');
    expect(second.leaked).toBe('[REDACTED]');
  });
});
