import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueue } from '../../../src/hub/routing/queues.js';
import { startHub, type RunningHub } from '../../../src/hub/server.js';
import {
  freeTcpPort,
  requireKamailio,
  startKamailio,
  type TestKamailio,
} from '../../support/kamailio.js';
import {
  defaultQueue,
  hubHealth,
  TELEPHONY_KEY,
  waitFor,
  abandonedOf,
  callOf,
  evapiConnects,
} from '../../support/phone-lab.js';
import { requirePostgres, startPostgres, type TestPostgres } from '../../support/postgres.js';
import { SipCaller } from '../../support/sip-caller.js';

const skipKamailio = requireKamailio();
const pgOk = requirePostgres("evapi owner's blip (PostgreSQL + Kamailio)");

/** How long the owner's socket stays closed: long enough for a caller to hang up in it. */
const BLIP_MS = 1500;

/**
 * What Kamailio sends while the owner's own evapi socket is down (a network blip, Kamailio keeps
 * running) reaches only the standbys. Hub A owns evapi, hub B is a standby on the same socket;
 * A's socket is closed for 1.5 s. When it is back, A asks B (NOTIFY, rows in `evapi_gap`) for
 * what it missed and replays it: a CANCEL sent in the blip ends the waiting call at once (487,
 * abandoned) instead of leaving it to wait; a call that entered in the blip is known before its
 * CANCEL sent right after the reconnection.
 */
describe.skipIf(skipKamailio || !pgOk)(
  "evapi: the owner's own blip is filled in by standbys",
  () => {
    let postgres: TestPostgres;
    let kamailio: TestKamailio;
    let hubA: RunningHub;
    let hubB: RunningHub;
    let caller: SipCaller;

    const callRow = (from: string) => callOf(hubA.ctx.db.query, from);
    const abandonedEvents = (callId: string) => abandonedOf(hubA.ctx.db.query, callId);
    const connects = () => evapiConnects(kamailio);
    const telephony = () => ({
      key: TELEPHONY_KEY,
      domain: kamailio.domain,
      wsUrl: kamailio.wsUrl,
      evapi: kamailio.evapi,
    });

    beforeAll(async () => {
      postgres = await startPostgres();
      const url = await postgres.createDatabase('evapiblip');
      const portA = await freeTcpPort();
      kamailio = await startKamailio({
        hubUrl: `http://127.0.0.1:${portA}`,
        hubKey: TELEPHONY_KEY,
        logLevel: 2,
      });
      hubA = await startHub({
        port: portA,
        databaseUrl: url,
        scryptCost: 1024,
        routingSweepMs: 1000,
        timerPollMs: 100,
        telephony: telephony(),
      });
      expect(await hubA.calls!.waitConnected(10_000)).toBe(true);
      hubB = await startHub({
        databaseUrl: url,
        scryptCost: 1024,
        routingSweepMs: 1000,
        timerPollMs: 100,
        telephony: { ...telephony(), ownerRetryMs: [1000, 1500] },
      });
      await hubA.ctx.tx(async (q) => {
        await createQueue(q, defaultQueue(6)); // no agent at all: callers wait
      });
      await waitFor(() => hubB.calls!.kamailioConnected, 'B on evapi');
      await hubA.calls!.gapIdle();
      await hubB.calls!.gapIdle();
      caller = new SipCaller(kamailio.wsUrl, kamailio.domain, '+48600000001');
      await caller.start();
    }, 90_000);

    afterAll(async () => {
      await caller?.stop();
      await hubB?.close();
      await hubA?.close();
      await kamailio?.stop();
      await postgres?.stop();
    });

    /** Closes A's socket for BLIP_MS; resolves once it is down. */
    const blipA = async () => {
      const before = connects();
      hubA.calls!.blipEvapi(BLIP_MS);
      await waitFor(() => !hubA.calls!.kamailioConnected, 'A disconnected', 2000);
      return async () => {
        await waitFor(() => connects() > before, 'A reconnected', BLIP_MS + 5000);
        await waitFor(() => hubA.calls!.kamailioConnected, 'A back', 5000);
      };
    };

    it("a CANCEL sent during the owner's blip ends the call as abandoned at once", async () => {
      const call = caller.call('queue-orders', '+48600000001');
      await waitFor(async () => (await callRow('+48600000001'))?.state === 'waiting', 'waiting');
      const row = (await callRow('+48600000001'))!;

      const back = await blipA();
      await call.hangup(); // CANCEL: Kamailio relays it to B only
      await new Promise((r) => setTimeout(r, 200));
      expect(hubA.calls!.kamailioConnected).toBe(false);
      await back();
      const backAt = Date.now();

      // A asked B, got the CANCEL and replayed it: 487 from A, not a wait until max wait.
      await waitFor(async () => (await callRow('+48600000001'))?.state === 'ended', 'ended', 3000);
      expect(Date.now() - backAt).toBeLessThan(3000);
      expect(await call.outcome).toBe(487);
      expect((await callRow('+48600000001'))?.outcome).toMatch(/^(short_)?abandoned$/);
      const abandoned = await abandonedEvents(row.call_id);
      expect(abandoned).toHaveLength(1);
      expect(abandoned[0]).toMatchObject({ channel: 'voice', ringing: false });
      expect(abandoned[0]).not.toHaveProperty('reason');
      expect(hubA.calls!.status).toMatchObject({ evapiOwner: true });
      expect(hubA.calls!.status.gapRecovered).toBeGreaterThanOrEqual(1);
      // …and the health endpoint says so.
      const health = await hubHealth(hubA.url);
      expect(health.telephony.gapRecovered).toBeGreaterThanOrEqual(1);
      expect(hubB.calls!.status.evapiOwner).toBe(false);
      // The rows are deleted once read.
      await hubA.calls!.gapIdle();
      expect(await hubA.ctx.db.query('select 1 from evapi_gap')).toEqual([]);
    }, 20_000);

    it('a call that entered during the blip is known before its CANCEL right after it', async () => {
      const back = await blipA();
      const call = caller.call('queue-orders', '+48600000002'); // its enter reaches B only
      await new Promise((r) => setTimeout(r, 500)); // suspended by Kamailio, `enter` sent to B
      expect(await callRow('+48600000002')).toBeUndefined(); // A did not hear of it
      await back();
      await call.hangup(); // CANCEL to A (live) right after the reconnection

      await waitFor(async () => (await callRow('+48600000002'))?.state === 'ended', 'ended', 3000);
      expect(await call.outcome).toBe(487);
      const row = (await callRow('+48600000002'))!;
      expect(row.outcome).toMatch(/^(short_)?abandoned$/);
      expect(await abandonedEvents(row.call_id)).toHaveLength(1);
      // One row per Call-ID: the replayed enter did not enter the call twice.
      expect(
        await hubA.ctx.db.query('select 1 from calls where call_id = $1', [row.call_id]),
      ).toHaveLength(1);
    }, 20_000);
  },
);
