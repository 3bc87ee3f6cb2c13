import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { AgentOverview, LoginResponse } from '../../src/shared/api/index.js';
import { Queue } from '../../src/shared/domain/index.js';
import { startConsole, startHub, type Started } from '../support/processes.js';

/**
 * Routing as an agent meets it: an offer card with the hub's countdown, Accept opens the ticket,
 * Close starts wrap-up with a required topic, Finish makes the agent available again; an offer
 * left to time out pauses the agent with "missed offer". The queue is set up through the hub's
 * admin API (offers on chat, wrap-up with topics), and agent1 is a member of it only.
 */
let hub: Started;
let web: Started;
let dir: string;
let admin: string;
let queueId: string;

async function hubJson(path: string, init: { method?: string; body?: unknown; token?: string }) {
  const headers = new Headers();
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const response = await fetch(new URL(path, hub.url), {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const body: unknown = await response.json();
  expect(response.ok, `${path}: ${JSON.stringify(body)}`).toBe(true);
  return body;
}

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'concierge-e2e-routing-'));
  hub = await startHub(join(dir, 'hub'), ['--demo', '--no-simulator']);
  web = await startConsole(hub.url, join(dir, 'desktop'));
  admin = LoginResponse.parse(
    await hubJson('/api/v1/auth/login', {
      method: 'POST',
      body: { login: 'admin', password: 'demo' },
    }),
  ).token;
  queueId = Queue.parse(
    await hubJson('/api/v1/admin/queues', {
      method: 'POST',
      token: admin,
      body: {
        name: 'live-chat',
        channels: ['chat'],
        offerTimeouts: { chat: 90 },
        wrapUpSeconds: 300,
        topicRequired: true,
        topics: ['solved', 'escalated'],
      },
    }),
  ).id;
  const agents = ((await hubJson('/api/v1/agents', { token: admin })) as unknown[]).map((a) =>
    AgentOverview.parse(a),
  );
  const agent1 = agents.find((a) => a.agent.login === 'agent1')!;
  await hubJson(`/api/v1/admin/agents/${agent1.agent.id}/routing`, {
    method: 'PATCH',
    token: admin,
    body: { memberships: [{ queueId, priority: 0 }] },
  });
});

test.afterAll(async () => {
  await web?.stop();
  await hub?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const chat = (subject: string) =>
  hubJson('/api/v1/inbound/messages', {
    method: 'POST',
    token: 'demo-integration-key',
    body: {
      channel: 'chat',
      queue: 'live-chat',
      from: { email: `chat.${Date.now()}@example.com`, name: 'Olga Czat' },
      subject,
      text: 'Hello, I need help with my order.',
    },
  });

test('offers accepted and rejected, wrap-up with a topic, pause after work, a missed offer pauses', async ({
  page,
}) => {
  await page.goto(`${web.url}/?lang=en`);
  await page.getByTestId('login-login').fill('agent1');
  await page.getByTestId('login-password').fill('demo');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-status', 'online');
  await page.getByTestId('agent-state').click();
  await page.getByTestId('state-option-available').click();
  await expect(page.getByTestId('agent-state')).toHaveAttribute('data-state', 'available');
  // Serve next is for pull-mode queues only: disabled here, with the reason.
  await expect(page.getByTestId('serve-next')).toBeDisabled();

  const subject = `Order help ${Date.now()}`;
  await chat(subject);

  const card = page.getByTestId('offer-card');
  await expect(card).toBeVisible();
  await expect(card).toContainText(subject);
  await expect(card).toContainText('Olga Czat');
  await expect(card).toContainText('Queue live-chat');
  await expect(page.getByTestId('agent-state')).toHaveAttribute('data-state', 'offered');
  const countdown = page.getByTestId('offer-countdown');
  await expect(countdown).toHaveText(/^[01]:\d\d$/);
  const first = Number(await countdown.getAttribute('data-seconds'));
  expect(first).toBeGreaterThan(60);
  expect(first).toBeLessThanOrEqual(90);
  // It counts down by itself (the hub's deadline, drawn by the console).
  await expect
    .poll(async () => Number(await countdown.getAttribute('data-seconds')), { timeout: 5_000 })
    .toBeLessThan(first);

  await page.getByTestId('offer-accept').click();
  await expect(card).toBeHidden();
  await expect(page.getByTestId('ticket-subject')).toHaveText(subject);
  await expect(page.getByTestId('agent-state')).toHaveAttribute('data-state', 'busy');

  // Pause after the current work: the state stays busy, the next state is shown.
  await page.getByTestId('agent-state').click();
  await page.getByTestId('next-state').check();
  await page.getByTestId('state-option-paused').click();
  await expect(page.getByTestId('next-state-pending')).toContainText('Then: Paused · Break');
  await expect(page.getByTestId('agent-state')).toHaveAttribute('data-state', 'busy');

  await page.getByTestId('ticket-close').click();
  const bar = page.getByTestId('wrapup-bar');
  await expect(bar).toBeVisible();
  await expect(bar).toContainText('live-chat');
  await expect(page.getByTestId('agent-state')).toHaveAttribute('data-state', 'wrap_up');
  await expect(page.getByTestId('wrapup-countdown')).toHaveText(/^[45]:\d\d$/);
  // The topic is required: finishing without one asks for it and keeps the wrap-up.
  await page.getByTestId('wrapup-end').click();
  await expect(bar).toContainText('Choose a topic first');
  await expect(bar).toBeVisible();
  // Extend once.
  await page.getByTestId('wrapup-extend').click();
  await expect(page.getByTestId('wrapup-extend')).toBeDisabled();
  await expect(page.getByTestId('wrapup-countdown')).toHaveText(/^(9|10):\d\d$/);

  await page.getByTestId('wrapup-topic').selectOption('solved');
  await page.getByTestId('wrapup-end').click();
  await expect(bar).toBeHidden();
  // The work is done: the chosen next state applies.
  await expect(page.getByTestId('agent-state')).toHaveAttribute('data-state', 'paused');
  await expect(page.getByTestId('next-state-pending')).toBeHidden();
  await page.getByTestId('agent-state').click();
  await page.getByTestId('state-option-available').click();
  await expect(page.getByTestId('agent-state')).toHaveAttribute('data-state', 'available');
  await expect(page.getByTestId('agent-state')).toContainText('Available');

  // Reject with a reason from the keyboard (Alt+X): the card goes, the agent is available.
  const rejected = `Not for me ${Date.now()}`;
  await chat(rejected);
  await expect(card).toContainText(rejected);
  await page.keyboard.press('Alt+KeyX');
  await page.locator('[data-testid="offer-reject-reason"][data-reason="language"]').click();
  await expect(card).toBeHidden();
  await expect(page.getByTestId('agent-state')).toHaveAttribute('data-state', 'available');

  // The next offer is left to time out: the hub pauses the agent for the missed offer.
  await hubJson(`/api/v1/admin/queues/${queueId}`, {
    method: 'PATCH',
    token: admin,
    body: { offerTimeouts: { chat: 8 } },
  });
  const missed = `Nobody answers ${Date.now()}`;
  await chat(missed);
  await expect(card).toBeVisible();
  await expect(card).toContainText(missed);
  await expect(card).toBeHidden({ timeout: 20_000 });
  await expect(page.getByTestId('agent-state')).toHaveAttribute('data-state', 'paused');
  await expect(page.getByTestId('agent-state')).toContainText('Paused · Missed offer');
});
