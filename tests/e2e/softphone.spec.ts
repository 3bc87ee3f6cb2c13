import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { type Browser } from 'playwright-core';
import { SessionState } from 'sip.js';
import { requireKamailio } from '../support/kamailio.js';
import { callerMedia } from '../support/media-page.js';
import { startTelephony, waitFor, type TelephonyHub } from '../support/phone-lab.js';
import { startConsole, type Started } from '../support/processes.js';
import { SipCaller, type CallerCall } from '../support/sip-caller.js';
import {
  agentStats,
  flow,
  launchPhoneBrowser,
  setState,
  signIn,
  within,
  type CallerMedia,
} from './softphone-support.js';

/**
 * The softphone end to end: a real Kamailio, the hub routing queue calls, two consoles (web host
 * + Chromium renderer with fake audio devices) and a caller whose audio is a third Chromium page.
 */
const skip = requireKamailio();
test.skip(!!skip, skip ?? '');
test.describe.configure({ mode: 'serial' });

let lab: TelephonyHub;
let browser: Browser;
let dir: string;
const consoles: Started[] = [];
const pages: Page[] = [];
let caller: SipCaller;
let media: CallerMedia;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  dir = mkdtempSync(join(tmpdir(), 'concierge-phone-e2e-'));
  lab = await startTelephony({ agents: 2, ringSeconds: 15 });
  // The caller is a known customer with an open ticket: the screen pop must find her.
  await lab.hub.ctx.tx(async (q) => {
    const c = await q<{ id: string }>(
      `insert into customers (name) values ('Ewa Kowalska') returning id`,
    );
    await q(
      `insert into customer_identities (customer_id, kind, value) values ($1, 'phone', '+48600100200')`,
      [c[0]!.id],
    );
    await q(
      `insert into tickets (subject, channel, customer_id) values ('Parcel not delivered', 'email', $1)`,
      [c[0]!.id],
    );
  });
  for (const name of ['agent1', 'agent2'])
    consoles.push(await startConsole(lab.hub.url, join(dir, name)));
  browser = await launchPhoneBrowser();
  for (const _c of consoles) pages.push(await (await browser.newContext()).newPage());
  await signIn(pages[0]!, consoles[0]!.url, 'agent1');
  await signIn(pages[1]!, consoles[1]!.url, 'agent2');
  media = await callerMedia(await (await browser.newContext()).newPage(), consoles[0]!.url);
  caller = new SipCaller(lab.kamailio.wsUrl, lab.kamailio.domain, '+48600100200', media.sdhFactory);
  await caller.start();
});

test.afterAll(async () => {
  await caller?.stop();
  await browser?.close();
  for (const c of consoles) await c.stop();
  await lab?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('queue call: longest idle agent, screen pop, RTP both ways, hold, DTMF, blind transfer, wrap-up', async () => {
  test.setTimeout(90_000);
  const [p1, p2] = pages as [Page, Page];
  // agent1 goes available first: idle the longest.
  await setState(p1, 'available');
  await new Promise((r) => setTimeout(r, 200));
  await setState(p2, 'available');

  const call: CallerCall = caller.call('queue-orders');
  const incoming = p1.getByTestId('incoming-call');
  await expect(incoming).toBeVisible({ timeout: 15_000 });
  await expect(p1.getByTestId('incoming-number')).toContainText('+48600100200');
  await expect(p1.getByTestId('call-queue')).toHaveText('orders');
  await expect(p1.getByTestId('screen-pop-customer')).toHaveText('Ewa Kowalska');
  await expect(p1.getByTestId('screen-pop').getByText('Parcel not delivered')).toBeVisible();
  await expect(p2.getByTestId('incoming-call')).toHaveCount(0);
  const sessionId = (await incoming.getAttribute('data-call-id'))!;

  await p1.getByTestId('call-answer').click();
  expect(await within(call.outcome, 15_000, 'caller 200 OK')).toBe(200);
  await expect(p1.getByTestId('active-call')).toHaveAttribute('data-state', 'established');
  await expect(p1.getByTestId('call-timer')).toBeVisible();
  const callerSession = call.current().id;

  // Audio both ways.
  await waitFor(
    async () => ((await agentStats(p1, sessionId))?.packetsReceived ?? 0) > 20,
    'agent receives RTP',
    10_000,
  );
  let f = await flow(media, p1, sessionId, callerSession);
  expect(f.agentReceived).toBeGreaterThan(20);
  expect(f.callerReceived).toBeGreaterThan(20);

  // Hold: the caller stops sending to the agent (answers recvonly); resume: both ways again.
  await p1.getByTestId('call-hold').click();
  await expect(p1.getByTestId('call-held')).toBeVisible();
  await new Promise((r) => setTimeout(r, 300));
  f = await flow(media, p1, sessionId, callerSession);
  expect(f.agentReceived).toBeLessThan(3);
  expect(f.callerSent).toBeLessThan(3);
  await p1.getByTestId('call-hold').click();
  await expect(p1.getByTestId('call-held')).toHaveCount(0);
  await new Promise((r) => setTimeout(r, 300));
  f = await flow(media, p1, sessionId, callerSession);
  expect(f.agentReceived).toBeGreaterThan(20);
  expect(f.callerReceived).toBeGreaterThan(20);

  // DTMF from the keypad and from the keyboard (RFC 4733 on the agent's audio sender).
  await p1.getByTestId('call-keypad').click();
  await p1.getByTestId('dtmf-5').click();
  await p1.locator('body').click({ position: { x: 5, y: 5 } });
  await p1.keyboard.press('7');
  await waitFor(
    async () => (await agentStats(p1, sessionId))?.dtmfSent === '57',
    'DTMF 57 sent',
    5000,
  );

  // Blind transfer to agent2: the caller follows the REFER, agent2 answers, agent1 is free.
  await p1.getByTestId('transfer-target').fill('agent2');
  await p1.getByTestId('transfer-blind').click();
  await expect(p2.getByTestId('incoming-call')).toBeVisible({ timeout: 10_000 });
  await p2.getByTestId('call-answer').click();
  const second = await within(call.transferred, 15_000, 'blind transfer');
  expect(second.state).toBe(SessionState.Established);
  await expect(p1.getByTestId('active-call')).toHaveCount(0, { timeout: 10_000 });
  const agent2Session = (await p2.getByTestId('active-call').getAttribute('data-call-id'))!;
  f = await flow(media, p2, agent2Session, second.id);
  expect(f.agentReceived).toBeGreaterThan(20);
  expect(f.callerReceived).toBeGreaterThan(20);

  // Hang-up by agent2; agent1 went to wrap-up for the queue call and ends it with a topic.
  await p2.getByTestId('call-hangup').click();
  await within(call.ended, 10_000, 'caller hung up');
  // agent1's queue call went to wrap-up: the topic is picked in the console's wrap-up bar.
  await expect(p1.getByTestId('wrapup-bar')).toBeVisible({ timeout: 10_000 });
  await p1.getByTestId('wrapup-topic').selectOption('order status');
  await p1.getByTestId('wrapup-end').click();
  await expect(p1.getByTestId('wrapup-bar')).toHaveCount(0, { timeout: 10_000 });

  const events = await lab.events();
  const types = events.map((e) => e.type);
  for (const t of [
    'task.queued',
    'offer.created',
    'offer.accepted',
    'task.assigned',
    'task.transferred',
    'agent.wrap_up_started',
    'agent.wrap_up_ended',
  ]) {
    expect(types, t).toContain(t);
  }
  expect(events.find((e) => e.type === 'task.transferred')?.data).toMatchObject({
    kind: 'blind',
    to: 'agent2',
  });
  expect(events.find((e) => e.type === 'agent.wrap_up_ended')?.data).toMatchObject({
    topic: 'order status',
  });
  const history = pages[0]!.getByTestId('phone-history-open');
  await history.click();
  await expect(pages[0]!.getByTestId('call-history-item').first()).toContainText('+48600100200');
  await pages[0]!.keyboard.press('Escape');
});

test('attended transfer: consult agent2, then join the caller to agent2', async () => {
  test.setTimeout(90_000);
  const [p1, p2] = pages as [Page, Page];
  await setState(p2, 'paused');
  await setState(p1, 'available');
  await waitFor(async () => {
    const s = await lab.api<{ status: { state: string } }>('/api/v1/me', {
      token: await lab.login('agent1'),
    });
    return s.status.state === 'available';
  }, 'agent1 available');
  const call = caller.call('queue-orders');
  await expect(p1.getByTestId('incoming-call')).toBeVisible({ timeout: 15_000 });
  await p1.getByTestId('call-answer').click();
  expect(await within(call.outcome, 15_000, 'caller 200 OK')).toBe(200);

  await p1.getByTestId('transfer-target').fill('agent2');
  await p1.getByTestId('transfer-consult').click();
  await expect(p2.getByTestId('incoming-call')).toBeVisible({ timeout: 10_000 });
  await p2.getByTestId('call-answer').click();
  await expect(p1.getByTestId('transfer-complete')).toBeEnabled({ timeout: 10_000 });
  await p1.getByTestId('transfer-complete').click();

  const joined = await within(call.transferred, 15_000, 'attended transfer');
  expect(joined.state).toBe(SessionState.Established);
  await expect(p1.getByTestId('active-call')).toHaveCount(0, { timeout: 10_000 });
  await expect(p2.getByTestId('active-call')).toHaveCount(1);
  const s2 = (await p2.getByTestId('active-call').getAttribute('data-call-id'))!;
  const f = await flow(media, p2, s2, joined.id);
  expect(f.agentReceived).toBeGreaterThan(20);
  expect(f.callerReceived).toBeGreaterThan(20);
  await call.hangup();
  await expect(p2.getByTestId('active-call')).toHaveCount(0, { timeout: 10_000 });
  const transfers = await lab.events(['task.transferred']);
  expect(transfers.at(-1)?.data).toMatchObject({ kind: 'attended' });
});
