import { build } from 'esbuild';
import { type Page } from 'playwright-core';
import { proxySdhFactory } from '../../src/main/phone/proxy-sdh.js';
import { MediaChannel } from '../../src/main/phone/media-channel.js';
import { type MediaRequest } from '../../src/shared/bridge/phone.js';

let bundle: string | null = null;

/** The renderer's MediaEngine as a browser script (window.PhoneMedia.MediaEngine). */
async function engineScript(): Promise<string> {
  bundle ??= (
    await build({
      entryPoints: ['src/renderer/features/phone/media/media-engine.ts'],
      bundle: true,
      format: 'iife',
      globalName: 'PhoneMedia',
      write: false,
      target: 'es2022',
    })
  ).outputFiles[0]!.text;
  return bundle;
}

/**
 * A Chromium page running the console's own MediaEngine for a *caller* (the customer's phone):
 * the caller's sip.js UA in Node uses the same ProxySessionDescriptionHandler as the console,
 * with Playwright's evaluate standing in for the bridge. Served on the given http://127.0.0.1
 * origin (a secure context, so getUserMedia works) from an intercepted URL.
 */
export async function callerMedia(page: Page, origin: string) {
  const script = await engineScript();
  const url = `${origin}/__caller-media.html`;
  await page.route(url, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>caller</title>' }),
  );
  await page.goto(url);
  await page.addScriptTag({ content: script });
  await page.evaluate(() => {
    const w = globalThis as unknown as {
      PhoneMedia: { MediaEngine: new (...a: unknown[]) => unknown };
      engine: unknown;
    };
    w.engine = new w.PhoneMedia.MediaEngine(
      { micId: '', speakerId: '', ringId: '', ringVolume: 0 },
      { iceGatheringTimeoutMs: 300, loopbackOnly: true },
    );
  });
  const channel: MediaChannel = new MediaChannel((request: MediaRequest) => {
    void page
      .evaluate(async (r: MediaRequest) => {
        const e = (
          globalThis as unknown as { engine: Record<string, (...a: unknown[]) => unknown> }
        ).engine;
        try {
          let value: unknown = null;
          if (r.op === 'getDescription') value = await e.getDescription!(r.sessionId, r.hold);
          else if (r.op === 'setDescription') value = await e.setDescription!(r.sessionId, r.sdp);
          else if (r.op === 'sendDtmf')
            value = e.sendDtmf!(r.sessionId, r.tones, r.duration, r.gap);
          else if (r.op === 'rollback') await e.rollback!(r.sessionId);
          else if (r.op === 'close') e.close!(r.sessionId);
          return { ok: true, value };
        } catch (error) {
          return { ok: false, error: String(error) };
        }
      }, request)
      .then((res) => channel.settle({ requestId: request.requestId, clientId: 'caller', ...res }))
      .catch(() => undefined);
  });
  channel.attach('caller');
  return {
    sdhFactory: proxySdhFactory(channel),
    stats: (sessionId: string) =>
      page.evaluate(
        (id) =>
          (
            globalThis as unknown as { engine: { stats(id: string): Promise<unknown> } }
          ).engine.stats(id),
        sessionId,
      ) as Promise<RtpStats | null>,
  };
}

export interface RtpStats {
  ice: string;
  directions: string[];
  packetsSent: number;
  packetsReceived: number;
  dtmfSent: string;
}
