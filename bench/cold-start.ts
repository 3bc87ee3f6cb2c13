import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from '@playwright/test';
import { startConsole, startHub } from '../tests/support/processes.js';
import { summarize, type Summary } from './stats.js';

/**
 * Cold start: process spawn -> "listening" line (hub with --demo, fresh and existing data dir) and
 * web console spawn -> login form visible in Chromium.
 */
export async function coldStart(runs: number): Promise<Record<string, Summary>> {
  const hubFresh: number[] = [];
  const hubExisting: number[] = [];
  const webReady: number[] = [];
  const webInteractive: number[] = [];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    for (let i = 0; i < runs; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'concierge-bench-'));
      try {
        let t = performance.now();
        let hub = await startHub(join(dir, 'hub'), ['--demo', '--no-simulator']);
        hubFresh.push(performance.now() - t);
        await hub.stop();
        t = performance.now();
        hub = await startHub(join(dir, 'hub'), ['--demo', '--no-simulator']);
        hubExisting.push(performance.now() - t);

        t = performance.now();
        const web = await startConsole(hub.url, join(dir, 'desktop'));
        webReady.push(performance.now() - t);
        const page = await browser.newPage();
        await page.goto(`${web.url}/?lang=en`);
        await page.getByTestId('login-submit').waitFor({ state: 'visible' });
        webInteractive.push(performance.now() - t);
        await page.close();
        await web.stop();
        await hub.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  return {
    'hub --demo, fresh data dir: spawn -> listening (ms)': summarize(hubFresh),
    'hub --demo, existing data dir: spawn -> listening (ms)': summarize(hubExisting),
    'web console: spawn -> listening (ms)': summarize(webReady),
    'web console: spawn -> login form shown in Chromium (ms)': summarize(webInteractive),
  };
}
