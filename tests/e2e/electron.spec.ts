import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';

/**
 * Electron smoke test: the built app opens its window with the security settings in force.
 * The electron npm package downloads its binary lazily when imported, so the binary is detected
 * from files only (node_modules/electron/path.txt + dist/, or ELECTRON_EXEC_PATH).
 */
function electronBinary(): string | null {
  const fromEnv = process.env.ELECTRON_EXEC_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  const pkg = join(process.cwd(), 'node_modules', 'electron');
  const pathTxt = join(pkg, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const binary = join(pkg, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();
const SKIP_REASON =
  'Electron binary not installed (no node_modules/electron/path.txt + dist/, and no ELECTRON_EXEC_PATH): Electron smoke test skipped. Browser mode is covered by the Chromium tests.';

/** Skips with the reason printed in the run's log (reporters do not show skip reasons). */
function skipWithoutBinary() {
  if (binary !== null) return;
  console.log(SKIP_REASON);
  test.skip(true, SKIP_REASON);
}

let app: ElectronApplication;
let profile: string;

test.beforeAll(async () => {
  skipWithoutBinary();
  if (!existsSync('out/main/index.js') || !existsSync('out/preload/index.cjs')) {
    execFileSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  }
  profile = mkdtempSync(join(tmpdir(), 'concierge-electron-'));
  app = await electron.launch({
    executablePath: binary!,
    // Running as root (containers) requires Chromium's sandbox switch off for the browser process.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), 'out/main/index.js'],
    env: {
      ...process.env,
      CONCIERGE_USER_DATA_DIR: profile,
      // A configured (unreachable) hub: the smoke test does not need the demo hub's start-up time.
      CONCIERGE_HUB_URL: 'http://127.0.0.1:9',
    },
  });
});

test.afterAll(async () => {
  await app?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test('the window opens on the app origin with no Node in the page and only window.concierge', async () => {
  const page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
  expect(page.url()).toMatch(/^app:\/\/concierge\//);

  const globals = await page.evaluate(() => ({
    require: typeof require,
    process: typeof process,
    concierge: Object.keys(
      (globalThis as unknown as { concierge?: Record<string, unknown> }).concierge ?? {},
    ).sort(),
  }));
  expect(globals).toEqual({
    require: 'undefined',
    process: 'undefined',
    concierge: ['invoke', 'onEvent'],
  });

  const pong = await page.evaluate(() =>
    (
      globalThis as unknown as {
        concierge: { invoke(name: string, payload: unknown): Promise<unknown> };
      }
    ).concierge.invoke('ping', {}),
  );
  expect(pong).toEqual({ ok: true, value: { ok: true } });

  // window.open never creates a window; links go to the OS browser (stubbed here).
  await app.evaluate(({ shell }) => {
    (shell as { openExternal: (url: string) => Promise<void> }).openExternal = async () =>
      undefined;
  });
  const opened = await page.evaluate(() =>
    (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/'),
  );
  expect(opened).toBeNull();
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
});
