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
import { SipCaller } from '../support/sip-caller.js';
import {
  agentDevices,
  agentStats,
  flow,
  launchPhoneBrowser,
  setState,
  signIn,
  within,
  type CallerMedia,
} from './softphone-support.js';

/**
 * Hot-plug in real Chromium: during an answered queue call the agent's chosen microphone, then
 * her chosen speaker and ring device, are "unplugged" — Chromium's fake devices never change, so
 * the page's navigator.mediaDevices stops listing them (and refuses to open the microphone) and
 * fires `devicechange`. The call must go on with RTP both ways on the system default devices,
 * the settings must show the default and the phone panel must say what happened.
 */
const skip = requireKamailio();
test.skip(!!skip, skip ?? '');
test.describe.configure({ mode: 'serial' });

let lab: TelephonyHub;
let browser: Browser;
let dir: string;
let agent: Started;
let page: Page;
let caller: SipCaller;
let media: CallerMedia;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  dir = mkdtempSync(join(tmpdir(), 'concierge-phone-devices-'));
  lab = await startTelephony({ agents: 1, ringSeconds: 15 });
  agent = await startConsole(lab.hub.url, join(dir, 'agent1'));
  browser = await launchPhoneBrowser();
  page = await (await browser.newContext()).newPage();
  await signIn(page, agent.url, 'agent1');
  media = await callerMedia(await (await browser.newContext()).newPage(), agent.url);
  caller = new SipCaller(lab.kamailio.wsUrl, lab.kamailio.domain, '+48600100300', media.sdhFactory);
  await caller.start();
});

test.afterAll(async () => {
  await caller?.stop();
  await browser?.close();
  await agent?.stop();
  await lab?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Picks a device by its label in one of the settings' selects (Mantine combobox). */
async function choose(testId: string, label: string) {
  const select = page.getByTestId(testId);
  await select.click();
  await page.getByRole('option', { name: label, exact: true }).click();
  await expect(select).toHaveValue(label);
}

/**
 * "Unplugs" a device: navigator.mediaDevices stops listing it, opening it fails as for a device
 * that is gone, and `devicechange` fires — what Chromium does when a headset is pulled.
 */
async function unplug(kind: 'audioinput' | 'audiooutput', deviceId: string) {
  await page.evaluate(
    ({ kind, deviceId }) => {
      type Info = { kind: string; deviceId: string };
      type Constraints = { audio?: boolean | { deviceId?: { exact?: string } } };
      type Devices = EventTarget & {
        enumerateDevices(): Promise<Info[]>;
        getUserMedia(c: Constraints): Promise<unknown>;
        unplugged?: Set<string>;
      };
      const md = (globalThis as unknown as { navigator: { mediaDevices: Devices } }).navigator
        .mediaDevices;
      if (!md.unplugged) {
        const gone = new Set<string>();
        md.unplugged = gone;
        const enumerate = md.enumerateDevices.bind(md);
        const open = md.getUserMedia.bind(md);
        md.enumerateDevices = async () =>
          (await enumerate()).filter((d) => !gone.has(`${d.kind}/${d.deviceId}`));
        md.getUserMedia = async (constraints) => {
          const audio = constraints.audio;
          const id = typeof audio === 'object' ? audio.deviceId?.exact : undefined;
          if (id && gone.has(`audioinput/${id}`))
            throw new DOMException('Requested device not found', 'NotFoundError');
          return open(constraints);
        };
      }
      md.unplugged.add(`${kind}/${deviceId}`);
      md.dispatchEvent(new Event('devicechange'));
    },
    { kind, deviceId },
  );
}

/** The device settings the console keeps in this browser profile. */
const savedDevices = () =>
  page.evaluate(() => {
    const storage = (
      globalThis as unknown as { localStorage: { getItem(k: string): string | null } }
    ).localStorage;
    return JSON.parse(storage.getItem('concierge.phone.devices') ?? '{}') as Record<
      string,
      unknown
    >;
  });

test('unplugging the chosen microphone, speaker and ring device mid-call: the call goes on on the defaults', async () => {
  test.setTimeout(90_000);
  // The agent picks a headset-like set-up: non-default microphone, speaker and ring device.
  await page.getByTestId('phone-settings-open').click();
  await choose('phone-mic', 'Fake Audio Input 1');
  await choose('phone-speaker', 'Fake Audio Output 1');
  await choose('phone-ring-device', 'Fake Audio Output 2');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('phone-mic')).toBeHidden();

  await setState(page, 'available');
  const call = caller.call('queue-orders');
  const incoming = page.getByTestId('incoming-call');
  await expect(incoming).toBeVisible({ timeout: 15_000 });
  const sessionId = (await incoming.getAttribute('data-call-id'))!;
  await page.getByTestId('call-answer').click();
  expect(await within(call.outcome, 15_000, 'caller 200 OK')).toBe(200);
  await expect(page.getByTestId('active-call')).toHaveAttribute('data-state', 'established');
  const callerSession = call.current().id;
  await waitFor(
    async () => ((await agentStats(page, sessionId))?.packetsSent ?? 0) > 20,
    'agent sends RTP',
    10_000,
  );

  // The chosen devices are the ones in use.
  const before = (await agentDevices(page)).find((d) => d.sessionId === sessionId)!;
  expect(before.microphone).toBeTruthy();
  expect(before.microphone).not.toBe('default');
  expect(before.speaker).toBeTruthy();
  let f = await flow(media, page, sessionId, callerSession);
  expect(f.agentSent).toBeGreaterThan(20);
  expect(f.callerReceived).toBeGreaterThan(20);
  await expect(page.getByTestId('phone-device-notice')).toHaveCount(0);

  // The microphone is pulled out.
  await unplug('audioinput', before.microphone!);
  const notice = page.getByTestId('phone-device-notice');
  await expect(notice.locator('[data-kind="microphone"]')).toHaveText(
    'Microphone unplugged: the call uses the system default microphone.',
  );
  await waitFor(
    async () =>
      (await agentDevices(page)).find((d) => d.sessionId === sessionId)?.microphone === 'default',
    'the call sends the default microphone',
    5000,
  );
  await expect(page.getByTestId('active-call')).toHaveAttribute('data-state', 'established');
  expect(call.current().state).toBe(SessionState.Established);
  f = await flow(media, page, sessionId, callerSession);
  expect(f.agentSent, 'agent RTP after the microphone switch').toBeGreaterThan(20);
  expect(f.callerReceived, 'caller hears the agent after the switch').toBeGreaterThan(20);
  expect(f.agentReceived).toBeGreaterThan(20);

  // The speaker and the ring device are pulled out.
  await unplug('audiooutput', before.speaker!);
  await expect(notice.locator('[data-kind="speaker"]')).toHaveText(
    'Speaker unplugged: call audio plays on the system default.',
  );
  await waitFor(
    async () => (await agentDevices(page)).find((d) => d.sessionId === sessionId)?.speaker === '',
    'call audio on the default sink',
    5000,
  );
  const ringId = String((await savedDevices()).ringId ?? '');
  expect(ringId).not.toBe('');
  await unplug('audiooutput', ringId);
  await expect(notice.locator('[data-kind="ring"]')).toHaveText(
    'Ring device unplugged: the phone rings on the system default.',
  );
  f = await flow(media, page, sessionId, callerSession);
  expect(f.agentSent).toBeGreaterThan(20);
  expect(f.agentReceived).toBeGreaterThan(20);
  expect(f.callerReceived).toBeGreaterThan(20);
  await expect(page.getByTestId('active-call')).toHaveAttribute('data-state', 'established');

  // The settings show the system default for all three, and keep it.
  await page.getByTestId('phone-settings-open').click();
  for (const id of ['phone-mic', 'phone-speaker', 'phone-ring-device'])
    await expect(page.getByTestId(id), id).toHaveValue('System default');
  await page.keyboard.press('Escape');
  expect(await savedDevices()).toMatchObject({ micId: '', speakerId: '', ringId: '' });

  // The notice can be dismissed; the call ends normally.
  await page.getByTestId('phone-device-notice-dismiss').click();
  await expect(notice).toHaveCount(0);
  await page.getByTestId('call-hangup').click();
  await within(call.ended, 10_000, 'caller hung up');
  await expect(page.getByTestId('active-call')).toHaveCount(0, { timeout: 10_000 });
});
