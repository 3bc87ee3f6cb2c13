import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SessionDescriptionHandler, type SessionDescriptionHandlerFactory } from 'sip.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { type CallHistoryEntry, type PhoneState } from '../../shared/bridge/phone.js';
import { openCache, type Cache } from '../cache/cache.js';
import { CALL_HISTORY_KEEP } from '../cache/call-history.js';
import { type Logger } from '../logger.js';
import { MemorySecretStore } from '../session/secret-store.js';
import { PhoneService } from './phone-service.js';

const HA1 = '0123456789abcdef0123456789abcdef';
const HUB = 'http://hub.test';
const AGENT = '11111111-1111-4111-8111-111111111111';
const OTHER_AGENT = '22222222-2222-4222-8222-222222222222';

/**
 * The smallest SIP registrar/peer over WebSocket: 200 to REGISTER (echoing the Contact), 486 Busy
 * Here to every INVITE, 200 to anything else but ACK. Enough for sip.js to register and for a
 * dialled call to end, which is what puts it in the history.
 */
async function fakeSipPeer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (socket) => {
    socket.on('message', (raw) => {
      const text = raw.toString();
      if (!text.trim()) return; // CRLF keep-alive
      const [head] = text.split('\r\n\r\n');
      const [requestLine, ...lines] = head!.split('\r\n');
      const method = requestLine!.split(' ')[0]!;
      if (method === 'SIP/2.0' || method === 'ACK') return;
      const header = (name: string) =>
        lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
      const [status, reason] = method === 'INVITE' ? [486, 'Busy Here'] : [200, 'OK'];
      const to = header('To')[0]!;
      const response = [
        `SIP/2.0 ${status} ${reason}`,
        ...header('Via'),
        ...header('From'),
        /;tag=/.test(to) ? to : `${to};tag=fake${Math.random().toString(36).slice(2, 8)}`,
        ...header('Call-ID'),
        ...header('CSeq'),
        ...(method === 'REGISTER' ? header('Contact').map((c) => `${c};expires=300`) : []),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(response);
    });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** No media: an offer with a valid SDP, nothing else. */
const noMedia: SessionDescriptionHandlerFactory = () =>
  ({
    hasDescription: (type: string) => type === 'application/sdp',
    getDescription: async () => ({
      contentType: 'application/sdp',
      body: [
        'v=0',
        'o=- 1 1 IN IP4 127.0.0.1',
        's=-',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        'm=audio 40000 RTP/AVP 0',
        'a=rtpmap:0 PCMU/8000',
        'a=sendrecv',
        '',
      ].join('\r\n'),
    }),
    setDescription: async () => undefined,
    sendDtmf: () => true,
    close: () => undefined,
  }) as unknown as SessionDescriptionHandler;

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

let peer: Awaited<ReturnType<typeof fakeSipPeer>>;
let dir: string;
const open: { phones: PhoneService[]; caches: Cache[] } = { phones: [], caches: [] };

beforeEach(async () => {
  peer = await fakeSipPeer();
  dir = mkdtempSync(join(tmpdir(), 'concierge-phone-history-'));
});
afterEach(async () => {
  for (const p of open.phones.splice(0)) await p.stop();
  for (const c of open.caches.splice(0)) c.close();
  await peer.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A PhoneService as services.ts wires it: the cache's call history behind a getter. */
function phoneService(cache: () => Cache | null, logger: Logger = quietLogger()) {
  const states: PhoneState[] = [];
  const account = {
    enabled: true,
    username: 'agent1',
    domain: 'concierge.local',
    wsUrl: peer.wsUrl,
    displayName: 'Agent 1',
    ha1: HA1,
  };
  const phone = new PhoneService({
    secrets: new MemorySecretStore(),
    logger,
    emitState: (s) => states.push(s),
    emitMedia: () => undefined,
    fetch: (async () => Response.json(account)) as unknown as typeof fetch,
    sdhFactory: noMedia,
    callHistory: () => cache()?.callHistory ?? null,
  });
  open.phones.push(phone);
  return { phone, states };
}

function quietLogger(warnings: { message: string; fields?: Record<string, unknown> }[] = []) {
  return {
    debug() {},
    info() {},
    warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }),
    error() {},
  };
}

async function registered(phone: PhoneService, states: PhoneState[]) {
  await until(() => states.at(-1)?.registration === 'registered', 'registration');
  return phone;
}

/** Dials `target`; the fake peer answers 486, so the call ends at once and enters the history. */
async function busyCall(phone: PhoneService, states: PhoneState[], target: string) {
  const call = await phone.handlers['phone.call']({ target });
  await until(
    () => states.at(-1)!.calls.every((c) => c.id !== call.id),
    `the call to ${target} to end`,
  );
  return call;
}

function openedCache(): Cache {
  const cache = openCache(dir);
  open.caches.push(cache);
  return cache;
}

describe('PhoneService call history', () => {
  it('survives a restart: close the cache, reopen the file, a new PhoneService lists it', async () => {
    let cache: Cache | null = openedCache();
    // An agent with a long history already: the oldest call will be pruned.
    const older: CallHistoryEntry[] = [];
    for (let n = 0; n < CALL_HISTORY_KEEP - 1; n++) {
      const at = new Date(Date.UTC(2026, 0, 1, 8, 0, n)).toISOString();
      older.push({
        id: `old-${n}`,
        direction: 'in',
        state: 'ended',
        remote: '+48600100200',
        remoteName: null,
        queue: null,
        held: false,
        startedAt: at,
        answeredAt: null,
        endedAt: at,
        consultFor: null,
        endReason: 'missed',
        durationMs: 0,
      });
      cache.callHistory.add({ hubUrl: HUB, agentId: AGENT }, older.at(-1)!);
    }
    const first = phoneService(() => cache);
    first.phone.start({ hubUrl: HUB, token: 't', agentId: AGENT });
    await registered(first.phone, first.states);
    const a = await busyCall(first.phone, first.states, 'agent2');
    const b = await busyCall(first.phone, first.states, '+48600999888');

    const before = await first.phone.handlers['phone.history']({});
    expect(before).toHaveLength(CALL_HISTORY_KEEP);
    expect(before.slice(0, 2).map((e) => [e.id, e.remote, e.direction])).toEqual([
      [b.id, '+48600999888', 'out'],
      [a.id, 'agent2', 'out'],
    ]);
    expect(before[0]!.endedAt).not.toBeNull();
    expect(before[0]!.endReason).toBeTruthy();

    // The console stops: phone first, then the cache (as services.stop() does).
    await first.phone.stop();
    cache.close();
    cache = null;

    const reopened = openedCache();
    const second = phoneService(() => reopened);
    second.phone.start({ hubUrl: HUB, token: 't', agentId: AGENT });
    await registered(second.phone, second.states);
    const after = await second.phone.handlers['phone.history']({});
    expect(after).toEqual(before);
    // Newest first; pruned to the newest 500: the oldest stored call is gone, the next one stays.
    expect(after.map((e) => e.id)).toEqual([
      b.id,
      a.id,
      ...older
        .slice(1)
        .reverse()
        .map((e) => e.id),
    ]);

    // Another agent signed in on the same console sees none of it.
    await second.phone.stop();
    second.phone.start({ hubUrl: HUB, token: 't', agentId: OTHER_AGENT });
    await registered(second.phone, second.states);
    expect(await second.phone.handlers['phone.history']({})).toEqual([]);
  });

  it('skips (and logs once) a stored row that no longer parses, never fails the call', async () => {
    const cache = openedCache();
    const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
    const { phone, states } = phoneService(() => cache, quietLogger(warnings));
    phone.start({ hubUrl: HUB, token: 't', agentId: AGENT });
    await registered(phone, states);
    const a = await busyCall(phone, states, 'agent2');
    const b = await busyCall(phone, states, 'agent3');
    const c = await busyCall(phone, states, 'agent4');
    cache.db
      .prepare('UPDATE call_history SET data = ? WHERE call_id = ?')
      .run('{"id": "broken', b.id);

    const history = await phone.handlers['phone.history']({});
    expect(history.map((e) => e.id)).toEqual([c.id, a.id]);
    await phone.handlers['phone.history']({});
    const skipped = warnings.filter((w) => /unreadable call history/.test(w.message));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.fields).toMatchObject({ callId: b.id });
  });

  it('keeps the history in memory when there is no cache', async () => {
    const { phone, states } = phoneService(() => null);
    phone.start({ hubUrl: HUB, token: 't', agentId: AGENT });
    await registered(phone, states);
    const a = await busyCall(phone, states, 'agent2');
    const b = await busyCall(phone, states, 'agent3');
    expect((await phone.handlers['phone.history']({})).map((e) => e.id)).toEqual([b.id, a.id]);
  });
});
