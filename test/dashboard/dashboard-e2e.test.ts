import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../support/git-http-server.js';
import { startBaton, type BatonProcess } from '../e2e/support/baton-process.js';
import { waitFor } from '../support/wait.js';
import { ensureDashboardBuilt, launchChromium, screenshot } from './support/browser.js';

// The dashboard in a real Chromium against `baton up` on the examples repository (the 15-service
// shop): one baton up for the whole file, the tests run in order on it. Waits are on DOM states,
// with generous timeouts: the shop takes minutes to come up on a busy two-core machine.
const SHOP_APPS = 15;
const VIEWPORT = { width: 1366, height: 800 };

let dir: string;
let baton: BatonProcess;
let browser: Browser | undefined;
let page: Page;
let base: string;
let repo: string;
let first: string;
let good: string;

const tail = () => baton.output().split('\n').slice(-30).join('\n');
const row = (app: string, attrs = '') => `table.apps tr[data-app="${app}"]${attrs}`;

beforeAll(async () => {
  await ensureDashboardBuilt();
  // Short: the Redis socket path must stay under 108 bytes.
  dir = await mkdtemp('/tmp/baton-dash-');
  baton = startBaton(['up', '--default-runtime-class', 'process', '--state-dir', dir, '--port', '0', '--runtime-port', '0', '--ingress-port', '0', '--interval', '1s', '--stop-pods']);
  browser = await launchChromium();
  base = await baton.waitFor(/API:\s+(http\S+)\/api\/v1/);
  repo = await baton.waitFor(/repository:\s+(\S+)/);
});

afterAll(async () => {
  await browser?.close();
  await baton?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 180_000);

/** A commit to the repository baton up follows; returns its id. */
async function commitValues(app: string, text: (old: string) => string, message: string): Promise<string> {
  const file = join(repo, 'environments/prod', `${app}.yaml`);
  await writeFile(file, text(await readFile(file, 'utf8')));
  await git(repo, 'commit', '-qam', message);
  return git(repo, 'rev-parse', 'HEAD');
}

/** How many app rows the list shows, with `attrs` (e.g. `[data-health="Healthy"]`). */
const rows = (attrs = '') => page.locator(`table.apps tr[data-app]${attrs}`).count();

/** A screenshot of the page for the failure, then baton's last lines for its message. */
function evidence(what: string): () => Promise<string> {
  return async () => {
    await screenshot(page, `failed-${what.replace(/\W+/g, '-')}`).catch(() => undefined);
    return tail();
  };
}

/**
 * Polls `check` until true. (page.waitForFunction with a string would be refused by the
 * dashboard's Content-Security-Policy, which allows no eval: the page is tested as served.)
 */
function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<true> {
  return waitFor(`the dashboard to show ${what}`, check, { timeoutMs, intervalMs: 250, describe: evidence(what) });
}

async function waitForSelector(selector: string, what: string, timeout: number): Promise<void> {
  try {
    await page.waitForSelector(selector, { timeout });
  } catch (err) {
    throw new Error(`the dashboard did not show ${what} (${selector}): ${(err as Error).message}\n${await evidence(what)()}`);
  }
}

describe('the dashboard on baton up', () => {
  it('signs in with the token in the URL fragment, forgets it from the address, and lists every app Healthy', { timeout: 900_000 }, async () => {
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
    page = await browser!.newPage({ viewport: VIEWPORT });
    await page.goto(`${base}/#token=${token}`);
    await until('the token gone from the address', async () => !page.url().includes('token='), 30_000);
    expect(page.url()).not.toContain(token);

    await until(`all ${SHOP_APPS} apps Healthy`, async () => (await rows()) === SHOP_APPS && (await rows('[data-health="Healthy"]')) === SHOP_APPS, 600_000);
    first = (await page.getAttribute(row('catalog'), 'data-revision'))!;
    expect(first).toMatch(/^[0-9a-f]{40}$/);
    // The revision column: the short id and the commit's subject.
    await waitForSelector(`${row('catalog')} .revision .subject`, 'the commit subject', 30_000);
    expect(await page.textContent(`${row('catalog')} .revision .sha`)).toBe(first.slice(0, 7));
    expect((await page.textContent(`${row('catalog')} .revision .subject`))!.trim().length).toBeGreaterThan(0);
    await page.waitForSelector('.stream-live');
    expect(await page.isVisible('a[href="/admin/queues"]')).toBe(true);
    await screenshot(page, '01-apps');

    // Filters narrow the list (and live in the address, so they survive a reload).
    await page.getByLabel('Search').fill('catalog');
    await until('one app left by the filter', async () => (await rows()) === 1, 30_000);
    await screenshot(page, '02-apps-filtered');
    await page.getByLabel('Search').fill('');
    await until('every app back', async () => (await rows()) === SHOP_APPS, 30_000);
  });

  it('shows a commit take catalog through Syncing to Healthy at the new revision without a reload', { timeout: 600_000 }, async () => {
    // Record every sync/health state the catalog row shows, and mark this document: a reload would lose both.
    await page.evaluate(`(() => {
      window.__samePage = true;
      const seen = (window.__seen = []);
      const sample = () => {
        const tr = document.querySelector('table.apps tr[data-app="catalog"]');
        const value = tr && tr.dataset.sync + '/' + tr.dataset.health;
        if (value && seen[seen.length - 1] !== value) seen.push(value);
      };
      new MutationObserver(sample).observe(document.body, { subtree: true, childList: true, attributes: true });
      sample();
    })()`);
    good = await commitValues('catalog', (t) => t.replace(/^version: .*$/m, 'version: "7.7.7"'), 'catalog 7.7.7');

    const done = row('catalog', `[data-revision="${good}"][data-sync="Synced"][data-health="Healthy"]`);
    // A picture of the Syncing state when the page is caught in it (the recorder below is what counts).
    await waitForSelector(`${row('catalog', '[data-sync="Syncing"]')}, ${done}`, 'catalog Syncing or done', 300_000);
    if (await page.isVisible(row('catalog', '[data-sync="Syncing"]'))) await screenshot(page, '03-apps-syncing');
    await waitForSelector(done, 'catalog Healthy at the new commit', 300_000);
    expect(await page.textContent(`${row('catalog')} .revision .subject`)).toContain('catalog 7.7.7');
    const seen = (await page.evaluate('window.__seen')) as string[];
    expect(seen, `states shown: ${seen.join(' → ')}`).toContain('Syncing/Progressing');
    expect(seen.at(-1)).toBe('Synced/Healthy');
    expect(await page.evaluate('window.__samePage === true')).toBe(true);
    await screenshot(page, '04-apps-after-commit');
  });

  it('shows the app as a tree of live objects, with its diff, history and pod logs', { timeout: 300_000 }, async () => {
    await page.click(`${row('catalog')} a`);
    await waitForSelector('.tree li[data-kind="Deployment"][data-name="catalog"]', 'the catalog Deployment', 60_000);
    await waitForSelector('.tree li[data-kind="Deployment"] li[data-kind="ReplicaSet"] li[data-kind="Pod"]', 'a pod under a ReplicaSet', 60_000);
    await waitForSelector('.tree li[data-kind="Service"][data-name="catalog"] li[data-kind="Endpoint"]', 'the Service with its endpoints', 60_000);
    expect(await page.textContent('.tree li[data-kind="Pod"]')).toMatch(/Ready, \d+ restarts?/);
    await screenshot(page, '05-app-objects');

    await page.getByRole('link', { name: 'History' }).click();
    await waitForSelector(`table.history td .sha:text("${good.slice(0, 7)}")`, 'the new commit in the history', 30_000);
    expect(await page.textContent('table.history tbody tr:first-child')).toMatch(/Succeeded/);
    await screenshot(page, '06-app-history');

    await page.getByRole('link', { name: 'Diff' }).click();
    await waitForSelector('text=a sync would change nothing', 'an empty diff', 120_000);
    await screenshot(page, '07-app-diff');

    await page.getByRole('link', { name: 'Logs' }).click();
    await waitForSelector('pre.log-text:has-text("==> shop/catalog-")', 'the pods\' logs', 60_000);
    await page.getByLabel('Follow').check();
    await screenshot(page, '08-app-logs');
    await page.getByLabel('Follow').uncheck();
  });

  it('shows a commit that does not render as Degraded, with the reason in plain words', { timeout: 300_000 }, async () => {
    await page.getByRole('link', { name: 'Objects' }).click();
    const broken = await commitValues('catalog', () => 'version: "8.0.0"\nreplicas: [2\n', 'catalog 8: a typo');
    await waitForSelector(`.statuses[data-health="Degraded"]`, 'catalog Degraded', 180_000);
    await waitForSelector('.failure[data-failure="current"]', 'the reason of the failure', 30_000);
    const failure = (await page.textContent('.failure'))!;
    expect(failure).toContain(`Revision ${broken.slice(0, 7)} could not be rendered, so nothing was applied`);
    expect(failure).toMatch(/environments\/prod\/catalog\.yaml:\d+:\d+/);
    // Still live at the last good revision.
    expect(await page.getAttribute('.statuses', 'data-revision')).toBe(good);
    await screenshot(page, '09-app-degraded');
  });

  it('rolls back to the previous healthy revision with the Rollback button', { timeout: 300_000 }, async () => {
    await page.getByRole('button', { name: 'Rollback…' }).click();
    await screenshot(page, '10-app-rollback-confirm');
    await page.getByRole('button', { name: 'Roll back', exact: true }).click();
    await waitForSelector(`.actions [role="status"]:has-text("Rollback to ${first.slice(0, 7)} queued")`, 'the rollback queued', 30_000);
    await waitForSelector(`.statuses[data-revision="${first}"][data-health="Healthy"]`, 'catalog Healthy at the first revision', 240_000);
    await waitForSelector(`.facts >> text=to ${first.slice(0, 7)} by a rollback`, 'the pin', 30_000);
    await page.getByRole('link', { name: 'History' }).click();
    await waitForSelector('table.history tbody tr:first-child:has-text("rollback")', 'the rollback in the history', 60_000);
    expect(await page.textContent('table.history tbody tr:first-child')).toContain(first.slice(0, 7));
    await screenshot(page, '11-app-rolled-back');

    await page.getByRole('link', { name: 'Previews' }).click();
    await waitForSelector('text=No open previews', 'the empty previews page', 30_000);
    await screenshot(page, '12-previews');
  });

  it('shows a read-only token no buttons', { timeout: 120_000 }, async () => {
    const readonly = (await readFile(join(dir, 'api-token-readonly'), 'utf8')).trim();
    const context = await browser!.newContext({ viewport: VIEWPORT });
    const ro = await context.newPage();
    try {
      await ro.goto(`${base}/`);
      await ro.getByLabel('API token').fill('not-a-token');
      await ro.keyboard.press('Enter');
      await ro.waitForSelector('text=That token is not valid');
      await ro.getByLabel('API token').fill(readonly);
      await ro.keyboard.press('Enter');
      await ro.waitForSelector('.role[data-role="read-only"]');
      await ro.waitForSelector(`table.apps tr[data-app="catalog"]`);
      expect(await ro.isVisible('a[href="/admin/queues"]')).toBe(false);
      await screenshot(ro, '13-readonly-apps');
      await ro.click('table.apps tr[data-app="catalog"] a');
      await ro.waitForSelector('.statuses');
      await ro.waitForSelector('.tree li[data-kind="Deployment"]', { timeout: 60_000 });
      expect(await ro.getByRole('button', { name: 'Sync' }).count()).toBe(0);
      expect(await ro.getByRole('button', { name: /Rollback/ }).count()).toBe(0);
      expect(await ro.locator('.actions').count()).toBe(0);
      await screenshot(ro, '14-readonly-app');
    } finally {
      await context.close();
    }
  });
});
