import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { APP_ORIGIN } from '../security/app-origin.js';
import { isTrustedSender } from '../security/sender.js';
import { type Services } from '../services.js';
import { createIpcCallHandler } from './ipc-handler.js';
import { offlineServices } from './test-services.js';

let services: Services;
let handle: ReturnType<typeof createIpcCallHandler>;
const trusted = [APP_ORIGIN];
const mainFrame = (url: string) => ({ senderFrame: { url, parent: null } });

beforeAll(async () => {
  services = offlineServices();
  await services.start();
  handle = createIpcCallHandler({
    handlers: services.handlers,
    isTrustedSender: (sender) => isTrustedSender(sender, trusted),
    logger: silentLogger,
  });
});
afterAll(() => services.stop());

describe('bridge over Electron IPC (handler logic)', () => {
  it('serves the app’s own main frame', async () => {
    expect(await handle(mainFrame(`${APP_ORIGIN}/index.html`), 'ping', {})).toEqual({
      ok: true,
      value: { ok: true },
    });
  });

  it('refuses other origins, subframes and a missing frame', async () => {
    const refused = { ok: false, error: { code: 'forbidden', message: 'untrusted sender' } };
    expect(await handle(mainFrame('https://evil.example/'), 'ping', {})).toEqual(refused);
    expect(await handle(mainFrame('app://concierge.evil/index.html'), 'ping', {})).toEqual(refused);
    expect(
      await handle({ senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: {} } }, 'ping', {}),
    ).toEqual(refused);
    expect(await handle({ senderFrame: null }, 'ping', {})).toEqual(refused);
  });

  it('rejects invalid payloads and unknown calls with typed errors', async () => {
    const from = mainFrame(`${APP_ORIGIN}/index.html`);
    expect(await handle(from, 'agent.setState', { state: 'dancing' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(await handle(from, 'agent.setState', { state: 'available', reason: 'x' })).toMatchObject(
      { ok: false, error: { code: 'invalid_request' } },
    );
    expect(await handle(from, 'shell.openExternal', {})).toMatchObject({
      ok: false,
      error: { code: 'unknown_call' },
    });
    expect(await handle(from, 42, {})).toMatchObject({
      ok: false,
      error: { code: 'unknown_call' },
    });
  });

  it('passes valid calls to the services (signed out: not_signed_in)', async () => {
    const from = mainFrame(`${APP_ORIGIN}/index.html`);
    expect(await handle(from, 'work.get', {})).toMatchObject({
      ok: false,
      error: { code: 'not_signed_in' },
    });
  });
});
