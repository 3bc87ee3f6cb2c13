import { describe, expect, it } from 'vitest';
import { type ReplyResponse } from '../../shared/api/replies.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import { type HubClient } from './hub-client.js';
import { ReplySender } from './reply-sender.js';

const ticketId = 'aaaaaaaa-0000-4000-8000-000000000001';
const ok = { replayed: false } as unknown as ReplyResponse;

/** A client whose first `failures` replies fail the way the network does. */
function flakyClient(failures: number, error = new BridgeError('hub_unreachable', 'down')) {
  const keys: string[] = [];
  let left = failures;
  const client = {
    async reply(_ticket: string, key: string) {
      keys.push(key);
      if (left-- > 0) throw error;
      return ok;
    },
  } as unknown as HubClient;
  return { client, keys };
}

const fast = { attempts: 4, baseMs: 1, maxMs: 5 };

describe('ReplySender', () => {
  it('retries a network failure with the same Idempotency-Key', async () => {
    const { client, keys } = flakyClient(2);
    const { key } = await new ReplySender(fast).send(client, ticketId, 'hello');
    expect(keys).toHaveLength(3);
    expect(new Set(keys)).toEqual(new Set([key]));
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives each new reply a new key', async () => {
    const { client, keys } = flakyClient(0);
    const sender = new ReplySender(fast);
    await sender.send(client, ticketId, 'one');
    await sender.send(client, ticketId, 'one');
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('does not retry what the hub refused', async () => {
    const { client, keys } = flakyClient(5, new BridgeError('forbidden', 'not yours'));
    await expect(new ReplySender(fast).send(client, ticketId, 'x')).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(keys).toHaveLength(1);
  });

  it('after giving up, a manual resend of the same text reuses the uncertain key', async () => {
    const { client, keys } = flakyClient(4);
    const sender = new ReplySender(fast);
    const error = await sender.send(client, ticketId, 'same text').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'hub_unreachable' });
    expect((error as BridgeError).details).toEqual({ idempotencyKey: keys[0] });
    const { key } = await sender.send(client, ticketId, 'same text');
    expect(key).toBe(keys[0]);
    expect(new Set(keys).size).toBe(1);
  });
});
