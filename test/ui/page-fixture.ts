// A real daemon with its state visualizer open in headless Chromium
// (playwright-core, /usr/bin/chromium), screenshots kept under
// test-artifacts/ui/ for the browser tests.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO, startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { loadBusybox, ok } from '../fixtures/e2e-helpers.js';

export const ARTIFACTS = join(REPO, 'test-artifacts', 'ui');

export interface Visualizer {
  daemon: TestDaemon;
  browser: Browser;
  page: Page;
  /** `berth ui`'s URL, token included */
  url: string;
  shot(name: string): Promise<Buffer>;
  /** the state ids highlighted in the selected actor's chart */
  activeStates(): Promise<(string | undefined)[]>;
  close(): Promise<void>;
}

/** Starts a daemon (busybox loaded) and a browser page; the page is not opened yet. */
export async function startVisualizer(daemonArgs: string[] = []): Promise<Visualizer> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const daemon = await startDaemon(daemonArgs);
  let browser: Browser | undefined;
  try {
    loadBusybox(daemon);
    const url = ok(daemon.berth(['ui'])).trim();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const b = browser;
    return {
      daemon, browser, page, url,
      shot: (name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true }),
      activeStates: () => page.$$eval('#chart g.state.active', (gs) => gs.map((g) => (g as SVGGElement).dataset.state)),
      close: async () => {
        await b.close();
        await daemon.stop();
      },
    };
  } catch (err) {
    await browser?.close();
    await daemon.stop();
    throw err;
  }
}

/** Opens the page and waits until it has its data and its live feed. */
export async function openPage(v: Visualizer): Promise<void> {
  await v.page.goto(v.url);
  await v.page.waitForSelector('body.ready.connected');
}
