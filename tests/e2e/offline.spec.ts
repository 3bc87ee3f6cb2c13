import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { InboundMessageResponse, LoginResponse } from '../../src/shared/api/index.js';
import { TicketDetail } from '../../src/shared/domain/index.js';
import { startConsole, startHub, type Started } from '../support/processes.js';
import { hubJson as sharedHubJson } from '../support/hub-json.js';

/**
 * Offline in the browser: the hub stops, the agent keeps working from the cache and sends two
 * replies that wait in the outbox; the hub comes back at the same address and they are delivered,
 * once each. Also: a draft survives kill -9 of the process holding the main services.
 */
let hub: Started;
let web: Started;
let dir: string;
const HUB_ARGS = ['--demo', '--no-simulator'];

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'concierge-e2e-offline-'));
  hub = await startHub(join(dir, 'hub'), HUB_ARGS);
  web = await startConsole(hub.url, join(dir, 'desktop'));
});

test.afterAll(async () => {
  await web?.stop();
  await hub?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const hubJson = (path: string, init: RequestInit & { token?: string } = {}) =>
  sharedHubJson(hub.url, path, init);

async function inbound(subject: string, text: string): Promise<string> {
  const created = InboundMessageResponse.parse(
    await hubJson('/api/v1/inbound/messages', {
      method: 'POST',
      token: 'demo-integration-key',
      body: JSON.stringify({
        channel: 'email',
        from: { email: `offline.${Date.now()}.${Math.random()}@example.com`, name: 'Ewa Offline' },
        subject,
        text,
      }),
    }),
  );
  return created.ticketId;
}

async function signInAvailable(page: Page, url: string, login: string) {
  await page.goto(`${url}/?lang=en`);
  await page.getByTestId('login-login').fill(login);
  await page.getByTestId('login-password').fill('demo');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'online');
  await page.getByTestId('agent-state').click();
  await page.getByTestId('state-option-available').click();
  await expect(page.getByTestId('agent-state')).toContainText('Available');
}

const item = (page: Page, ticketId: string) =>
  page.locator(`[data-testid="work-item"][data-ticket-id="${ticketId}"]`);

test('replies sent while the hub is down wait in the outbox and are delivered once when it is back', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signInAvailable(page, web.url, 'agent1');
  const stamp = Date.now();
  const first = await inbound(`Parcel late ${stamp}`, 'My parcel #1 is late.');
  const second = await inbound(`Wrong size ${stamp}`, 'I got the wrong size of shoes.');
  await expect(item(page, first)).toBeVisible();
  await expect(item(page, second)).toBeVisible();
  // Open both once while online so their conversations are cached.
  await item(page, first).click();
  await expect(page.getByTestId('conversation')).toContainText('My parcel #1 is late.');
  await item(page, second).click();
  await expect(page.getByTestId('conversation')).toContainText('wrong size of shoes');

  const port = new URL(hub.url).port;
  await hub.stop();
  await expect(page.getByTestId('offline-banner')).toBeVisible({ timeout: 45_000 });

  // Offline: cached tickets stay readable and searchable, and the agent replies.
  await page.getByTestId('search-input').fill('shoes');
  await expect(page.getByTestId('search-result').first()).toBeVisible();
  await page.getByTestId('search-input').fill('');

  const replies = {
    [first]: `Sorry for the delay ${stamp}`,
    [second]: `We send a new pair ${stamp}`,
  };
  for (const ticketId of [first, second]) {
    await item(page, ticketId).click();
    await expect(page.getByTestId('ticket-view')).toHaveAttribute('data-ticket-id', ticketId);
    await page.getByTestId('reply-input').fill(replies[ticketId]!);
    await page.getByTestId('reply-send').click();
    await expect(page.getByTestId('reply-input')).toHaveValue('');
    await expect(item(page, ticketId).getByTestId('pending-badge')).toBeVisible();
  }
  await page.getByTestId('outbox-open').click();
  const rows = page.getByTestId('outbox-view').getByTestId('outbox-row');
  await expect(rows).toHaveCount(2);
  for (const row of await rows.all()) {
    await expect(row).toHaveAttribute('data-state', /^(pending|sending)$/);
  }
  await page.keyboard.press('Escape');

  // The hub comes back at the same address with the same data.
  hub = await startHub(join(dir, 'hub'), HUB_ARGS, Number(port));
  await expect(page.getByTestId('offline-banner')).toBeHidden({ timeout: 60_000 });
  await expect(page.getByTestId('pending-badge')).toHaveCount(0, { timeout: 60_000 });
  await page.getByTestId('outbox-open').click();
  for (const row of await rows.all()) await expect(row).toHaveAttribute('data-state', 'delivered');
  await page.keyboard.press('Escape');
  await item(page, second).click();
  await expect(page.locator('[data-testid="message"][data-direction="out"]')).toContainText(
    replies[second]!,
  );

  // Exactly once on the hub.
  const lead = LoginResponse.parse(
    await hubJson('/api/v1/auth/login', {
      method: 'POST',
      body: JSON.stringify({ login: 'lead1', password: 'demo' }),
    }),
  );
  for (const ticketId of [first, second]) {
    const detail = TicketDetail.parse(
      await hubJson(`/api/v1/tickets/${ticketId}`, { token: lead.token }),
    );
    expect(detail.messages.filter((m) => m.text === replies[ticketId])).toHaveLength(1);
  }
  // Leave the floor to the next test's agent.
  await page.getByTestId('agent-state').click();
  await page.getByTestId('state-option-offline').click();
  await expect(page.getByTestId('agent-state')).toContainText('Offline');
});

test('a draft survives kill -9 of the console process, to the character', async ({ page }) => {
  test.setTimeout(120_000);
  const desktop = join(dir, 'desktop-draft');
  let console_ = await startConsole(hub.url, desktop);
  try {
    await signInAvailable(page, console_.url, 'agent2');
    const ticketId = await inbound(`Draft ${Date.now()}`, 'Czy mogę zmienić adres?');
    await expect(item(page, ticketId)).toBeVisible();
    await item(page, ticketId).click();
    const draft = 'Dzień dobry,\n  oczywiście — proszę podać nowy adres.  ';
    await page.getByTestId('reply-input').fill(draft);
    // What is on screen is saved within the debounce; then the process dies without warning.
    await page.waitForTimeout(600);
    console_.child.kill('SIGKILL');
    await new Promise((r) => console_.child.once('exit', r));

    console_ = await startConsole(hub.url, desktop);
    await page.goto(`${console_.url}/?lang=en`);
    await item(page, ticketId).click();
    await expect(page.getByTestId('reply-input')).toHaveValue(draft);
    await page.getByTestId('agent-state').click();
    await page.getByTestId('state-option-offline').click();
  } finally {
    await console_.stop();
  }
});
