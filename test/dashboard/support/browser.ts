import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildDashboard } from '../../../controller/edges/dashboard/build-dashboard.js';

/** Debian's chromium (`.ci/run` installs it), or CHROMIUM_PATH. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no Chromium at ${candidates.join(', ')}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  return found;
}

/** Headless Chromium for loopback pages only: no sandbox (CI runs as root), no GPU, no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-extensions', '--no-first-run', '--disable-sync', '--disable-default-apps', '--disable-component-update'],
  });
}

export const ARTIFACTS = join(import.meta.dirname, '../../../test-artifacts/dashboard');

/** A full-page PNG in test-artifacts/dashboard/, for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Builds the dashboard into dist/dashboard unless a build newer than every
 * browser source is there (CI builds before testing; a developer may not have).
 */
export async function ensureDashboardBuilt(): Promise<void> {
  const root = join(import.meta.dirname, '../../..');
  const index = join(root, 'dist/dashboard/index.html');
  const web = join(root, 'controller/edges/dashboard/web');
  const newest = Math.max(...(await readdir(web)).map((f) => statSync(join(web, f)).mtimeMs));
  if (existsSync(index) && statSync(index).mtimeMs >= newest) return;
  await buildDashboard();
}
