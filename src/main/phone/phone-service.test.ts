import { describe, expect, it } from 'vitest';
import { type PhoneState } from '../../shared/bridge/phone.js';
import { MemorySecretStore } from '../session/secret-store.js';
import { PhoneService, SIP_ACCOUNT_KEY } from './phone-service.js';

const HA1 = '0123456789abcdef0123456789abcdef';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function service(answer: () => Response) {
  const states: PhoneState[] = [];
  const secrets = new MemorySecretStore();
  const fetchImpl = (async () => answer()) as unknown as typeof fetch;
  const phone = new PhoneService({
    secrets,
    logger: quiet,
    emitState: (s) => states.push(s),
    emitMedia: () => undefined,
    fetch: fetchImpl,
  });
  return { phone, states, secrets };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('PhoneService', () => {
  it('keeps the SIP account (HA1) in the SecretStore, never in what the renderer sees', async () => {
    const account = {
      enabled: true,
      username: 'agent1',
      domain: 'concierge.local',
      // nothing listens here: the phone starts, fails to connect, retries in the background
      wsUrl: 'ws://127.0.0.1:9',
      displayName: 'Agent 1',
      ha1: HA1,
    };
    const { phone, states, secrets } = service(() => Response.json(account));
    phone.start({ hubUrl: 'http://hub.test', token: 't' });
    await until(() => states.some((s) => s.registration === 'failed'));
    expect(JSON.parse((await secrets.get(SIP_ACCOUNT_KEY))!)).toMatchObject({ ha1: HA1 });
    expect(JSON.stringify(states)).not.toContain(HA1);
    expect(states.at(-1)!.aor).toBe('sip:agent1@concierge.local');
    await phone.stop({ forget: true });
    expect(await secrets.get(SIP_ACCOUNT_KEY)).toBeNull();
    expect(phone.current().registration).toBe('disabled');
  });

  it('stays disabled when the hub has no telephony (404)', async () => {
    const { phone, states } = service(() =>
      Response.json({ error: { code: 'not_found', message: 'no telephony' } }, { status: 404 }),
    );
    phone.start({ hubUrl: 'http://hub.test', token: 't' });
    await until(() => states.length > 0);
    expect(states.at(-1)!.registration).toBe('disabled');
    await expect(phone.handlers['phone.call']({ target: 'agent2' })).rejects.toThrow(
      /no softphone/,
    );
  });
});
