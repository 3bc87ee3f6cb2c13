import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeError } from '../../shared/bridge/errors.js';
import { HubClient } from './hub-client.js';

/** A scripted HTTP server: each test sets how the next request is answered. */
let server: Server;
let baseUrl: string;
let answer: (req: IncomingMessage, res: ServerResponse) => void = (_q, res) => res.end();
const seen: { method?: string; url?: string; headers: IncomingMessage['headers'] }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    answer(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const json = (status: number, body: unknown) => (_q: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};
const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BridgeError);
  return error as BridgeError;
};
const status = {
  agentId: '11111111-1111-4111-8111-111111111111',
  state: 'available',
  reason: null,
  since: '2026-01-01T10:00:00.000Z',
};

describe('HubClient', () => {
  it('sends the bearer token and parses the answer with the shared schema', async () => {
    answer = json(200, status);
    const client = new HubClient({ baseUrl, token: 'secret-token' });
    expect(await client.setState({ state: 'available' })).toEqual(status);
    const last = seen.at(-1)!;
    expect(last.method).toBe('PUT');
    expect(last.url).toBe('/api/v1/me/state');
    expect(last.headers.authorization).toBe('Bearer secret-token');
  });

  it('sends the Idempotency-Key header with replies', async () => {
    answer = json(500, { error: { code: 'internal', message: 'x' } });
    const client = new HubClient({ baseUrl, token: 't' });
    await failure(client.reply('aaaaaaaa-0000-4000-8000-000000000001', 'key-1', { text: 'hi' }));
    expect(seen.at(-1)!.headers['idempotency-key']).toBe('key-1');
  });

  it.each([
    [401, 'unauthorized', 'unauthorized'],
    [403, 'forbidden', 'forbidden'],
    [404, 'not_found', 'not_found'],
  ] as const)('maps HTTP %i to %s', async (httpStatus, hubCode, code) => {
    answer = json(httpStatus, { error: { code: hubCode, message: 'nope' } });
    const error = await failure(new HubClient({ baseUrl, token: 't' }).me());
    expect(error.code).toBe(code);
    expect(error.message).toBe('nope');
  });

  it('maps other hub errors to hub_error with the hub’s code and message in details', async () => {
    answer = json(422, {
      error: { code: 'idempotency_key_reused', message: 'key reused', details: { a: 1 } },
    });
    const error = await failure(new HubClient({ baseUrl, token: 't' }).work());
    expect(error.code).toBe('hub_error');
    expect(error.details).toEqual({
      status: 422,
      code: 'idempotency_key_reused',
      hubMessage: 'key reused',
      details: { a: 1 },
    });
  });

  it('treats an answer that does not match the schema as hub_error', async () => {
    answer = json(200, { tickets: 'not a list' });
    const error = await failure(new HubClient({ baseUrl, token: 't' }).work());
    expect(error.code).toBe('hub_error');
  });

  it('maps a refused connection and a timeout to hub_unreachable', async () => {
    const closed = new HubClient({ baseUrl: 'http://127.0.0.1:1', token: 't' });
    expect((await failure(closed.me())).code).toBe('hub_unreachable');
    answer = () => undefined; // never answers
    const slow = new HubClient({ baseUrl, token: 't', timeoutMs: 200 });
    const error = await failure(slow.me());
    expect(error.code).toBe('hub_unreachable');
    expect(error.message).toContain('did not answer in time');
  });

  it('a 503 without a hub body (proxy in front of a down hub) is hub_unreachable', async () => {
    answer = (_q, res) => res.writeHead(503).end('<html>bad gateway</html>');
    expect((await failure(new HubClient({ baseUrl, token: 't' }).me())).code).toBe(
      'hub_unreachable',
    );
  });

  it('needs a token for everything but health and login', async () => {
    const error = await failure(new HubClient({ baseUrl }).me());
    expect(error.code).toBe('not_signed_in');
    answer = json(200, { ok: true, version: '1' });
    expect(await new HubClient({ baseUrl }).health()).toEqual({ ok: true, version: '1' });
    expect(seen.at(-1)!.headers.authorization).toBeUndefined();
  });
});
