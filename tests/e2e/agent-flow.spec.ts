import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { LoginResponse, InboundMessageResponse } from '../../src/shared/api/index.js';
import { TicketDetail } from '../../src/shared/domain/index.js';
import { startConsole, startHub, type Started } from '../support/processes.js';
import { hubJson as sharedHubJson } from '../support/hub-json.js';

let hub: Started;
let web: Started;
let dir: string;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'concierge-e2e-'));
  hub = await startHub(join(dir, 'hub'), ['--demo', '--no-simulator']);
  web = await startConsole(hub.url, join(dir, 'desktop'));
});

test.afterAll(async () => {
  await web?.stop();
  await hub?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const hubJson = (path: string, init: RequestInit & { token?: string } = {}) =>
  sharedHubJson(hub.url, path, init);

test('an agent goes available, gets an inbound message pushed, replies once', async ({ page }) => {
  await page.goto(`${web.url}/?lang=en`);

  // The hub URL is prefilled with the hub this console was started against.
  await expect(page.getByTestId('login-hub-url')).toHaveValue(hub.url);
  await page.getByTestId('login-login').fill('agent1');
  await page.getByTestId('login-password').fill('demo');
  await page.getByTestId('login-submit').click();

  await expect(page.getByTestId('topbar')).toBeVisible();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'online');
  await page.getByTestId('agent-state').click();
  await page.getByTestId('state-option-available').click();
  await expect(page.getByTestId('agent-state')).toContainText('Available');

  const subject = `Where is my parcel? ${Date.now()}`;
  const inbound = InboundMessageResponse.parse(
    await hubJson('/api/v1/inbound/messages', {
      method: 'POST',
      token: 'demo-integration-key',
      body: JSON.stringify({
        channel: 'email',
        from: { email: 'ewa.e2e@example.com', name: 'Ewa Testowa' },
        subject,
        text: 'Hello, my order #4711 has not arrived yet.',
      }),
    }),
  );

  // Pushed: the ticket opens by itself, no click.
  await expect(page.getByTestId('ticket-subject')).toHaveText(subject);
  const incoming = page.locator('[data-testid="message"][data-direction="in"]');
  await expect(incoming).toContainText('my order #4711 has not arrived');

  const reply = `We are on it, Ewa. ${Date.now()}`;
  await page.getByTestId('reply-input').fill(reply);
  await page.getByTestId('reply-send').click();
  await expect(page.locator('[data-testid="message"][data-direction="out"]')).toContainText(reply);
  await expect(page.getByTestId('reply-input')).toHaveValue('');

  // The hub stored the reply exactly once.
  const lead = LoginResponse.parse(
    await hubJson('/api/v1/auth/login', {
      method: 'POST',
      body: JSON.stringify({ login: 'lead1', password: 'demo' }),
    }),
  );
  const detail = TicketDetail.parse(
    await hubJson(`/api/v1/tickets/${inbound.ticketId}`, { token: lead.token }),
  );
  const replies = detail.messages.filter((m) => m.direction === 'out' && m.text === reply);
  expect(replies).toHaveLength(1);
  expect(detail.ticket.assigneeId).toBe(
    detail.messages.find((m) => m.direction === 'out')?.authorAgentId,
  );
});
