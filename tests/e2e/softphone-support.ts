import { expect, type Page } from '@playwright/test';
import { chromium, type Browser } from 'playwright-core';
import { type callerMedia, type RtpStats } from '../support/media-page.js';

/** Shared by the softphone specs: the browser, signing in, agent state, RTP counters. */

export type CallerMedia = Awaited<ReturnType<typeof callerMedia>>;

/** What a console's calls really use (MediaEngine.devicesInUse through window.conciergePhone). */
export interface DevicesInUse {
  sessionId: string;
  microphone: string | null;
  speaker: string | null;
}

interface PhoneHook {
  stats(id: string): Promise<RtpStats | null>;
  devices(): DevicesInUse[];
}

/** Chromium with fake audio devices (two fake microphones and speakers besides the default). */
export function launchPhoneBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
      '--disable-background-timer-throttling',
    ],
  });
}

export const agentStats = (page: Page, sessionId: string) =>
  page.evaluate(
    (id) => (globalThis as unknown as { conciergePhone: PhoneHook }).conciergePhone.stats(id),
    sessionId,
  );

export const agentDevices = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as { conciergePhone: PhoneHook }).conciergePhone.devices(),
  );

export async function signIn(page: Page, url: string, login: string) {
  await page.goto(`${url}/?lang=en&phoneLoopback=1`);
  await page.getByTestId('login-login').fill(login);
  await page.getByTestId('login-password').fill('pw');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('phone-registration')).toHaveAttribute('data-state', 'registered', {
    timeout: 20_000,
  });
}

export async function setState(page: Page, state: 'available' | 'paused') {
  // The control shows a loader (and takes no clicks) while a state request is in flight: say so
  // if it never ends, instead of running into the test's timeout in the click.
  await expect(page.getByTestId('agent-state'), 'a state change is still pending').toBeEnabled({
    timeout: 20_000,
  });
  await page.getByTestId('agent-state').click();
  if (state === 'paused') {
    // The reason picker sits in the state dropdown, which closes once the hub answered the state
    // change: pick the reason before the option (picking it after raced the closing dropdown,
    // and selectOption on the detached picker waited until the test's timeout).
    const reason = page.getByTestId('pause-reason');
    if (await reason.isVisible().catch(() => false))
      await reason.selectOption({ index: 1 }, { timeout: 5000 }).catch(() => undefined);
  }
  await page.getByTestId(`state-option-${state}`).click();
}

export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)),
  ]);
}

/** RTP counters of both ends over a window. */
export async function flow(
  media: CallerMedia,
  agent: Page,
  agentSession: string,
  callerSession: string,
  ms = 1500,
) {
  const a0 = (await agentStats(agent, agentSession))!;
  const c0 = (await media.stats(callerSession))!;
  await new Promise((r) => setTimeout(r, ms));
  const a1 = (await agentStats(agent, agentSession))!;
  const c1 = (await media.stats(callerSession))!;
  return {
    agentReceived: a1.packetsReceived - a0.packetsReceived,
    agentSent: a1.packetsSent - a0.packetsSent,
    callerReceived: c1.packetsReceived - c0.packetsReceived,
    callerSent: c1.packetsSent - c0.packetsSent,
    agent: a1,
  };
}
