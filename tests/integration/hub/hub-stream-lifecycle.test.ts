import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, login, StreamClient, startTestHub, type TestHub } from './harness.js';

describe('stream lifecycle', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ pingIntervalMs: 100 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps answering clients alive and drops one that stops answering pings', async () => {
    const token = await login(t.url, 'a1');
    const healthy = new StreamClient(t.url, { token });
    await healthy.ready();
    const silent = new WebSocket(t.url.replace(/^http/, 'ws') + '/api/v1/stream', {
      headers: { authorization: `Bearer ${token}` },
      autoPong: false,
    });
    const dropped = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
    // terminate() gives the client an abnormal closure (1006): no close frame.
    expect(await dropped).toBe(1006);
    expect(healthy.closeCode).toBeUndefined();
    healthy.close();
  });

  it('closes a stream with 4401 when its session is logged out', async () => {
    const token = await login(t.url, 'a2');
    const stream = new StreamClient(t.url, { token });
    await stream.ready();
    expect((await call(t.url, 'POST', '/api/v1/auth/logout', { token })).status).toBe(204);
    expect(await stream.closed).toBe(4401);
  });

  it('rejects a malformed resume position', async () => {
    const token = await login(t.url, 'a3');
    const stream = new StreamClient(t.url, { token, after: -1 });
    expect(await stream.closed).toBe(4400);
    expect(stream.frames[0]).toMatchObject({ kind: 'error', code: 'bad_request' });
  });
});
