import { performance } from 'node:perf_hooks';
import { CallCenter } from '../src/hub/telephony/call-center.js';
import { EvapiClient } from '../src/hub/telephony/evapi-client.js';
import { Softphone } from '../src/main/phone/softphone.js';
import { cannedSdhFactory } from '../tests/support/canned-sdh.js';
import { kamailioUnavailable } from '../tests/support/kamailio.js';
import { startPostgres } from '../tests/support/postgres.js';
import { startLab, waitFor, type Lab } from '../tests/support/phone-lab.js';
import { SipCaller } from '../tests/support/sip-caller.js';
import { summarize, type Summary } from './stats.js';

export interface PhoneBenchOptions {
  /** Calls per measurement (registrations, direct calls, queue calls). */
  calls: number;
  /** Agents for the routing-throughput burst. */
  agents: number;
  /** Hub storage: embedded PGlite (default) or a throwaway PostgreSQL 15 cluster. */
  db?: 'pglite' | 'postgres';
}

export interface PhoneBenchResult {
  /** Fresh user agent: WebSocket connect + REGISTER / 401 / REGISTER (digest with the hub's HA1) / 200. */
  registerMs: Summary;
  /** Caller INVITE → 200 OK (incl. the agent's answer) for a call to the agent's extension. */
  inviteDirectMs: Summary;
  /** Same to `queue-orders`: suspended in Kamailio, routed by the hub (voice task, offer), resumed. */
  inviteQueueMs: Summary;
  /**
   * The hub's own part of a queue call: evapi `enter` received → `route` command written
   * (measured by wrapping the CallCenter's message handler and the evapi client's send).
   */
  hubQueueMs: Summary;
  /** p50 queue / p50 direct (target ≤ 1.3). */
  queueOverheadRatio: number;
  db: 'pglite' | 'postgres';
  /** Queue calls routed to an agent per second when `agents` calls arrive at once. */
  routingDecisionsPerSecond: number;
  note: string;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Times from each `enter` to the first command for its transaction (see hubQueueMs). */
function hubTimer(): { take(): number[]; restore(): void } {
  const proto = CallCenter.prototype as unknown as { onKamailio(m: unknown): void };
  const onKamailio = proto.onKamailio;
  const send = EvapiClient.prototype.send;
  const entered = new Map<string, number>();
  let samples: number[] = [];
  proto.onKamailio = function (this: unknown, m: unknown) {
    const e = m as { event?: string; tindex?: number; tlabel?: number };
    if (e.event === 'enter') entered.set(`${e.tindex}:${e.tlabel}`, performance.now());
    onKamailio.call(this, m);
  };
  EvapiClient.prototype.send = function (this: EvapiClient, message: unknown, ...rest: unknown[]) {
    const c = message as { action?: string; tindex?: number; tlabel?: number };
    const key = `${c.tindex}:${c.tlabel}`;
    const t = entered.get(key);
    if (c.action === 'route' && t !== undefined) {
      samples.push(performance.now() - t);
      entered.delete(key);
    }
    return (send as (...a: unknown[]) => boolean).call(this, message, ...rest);
  } as typeof send;
  return {
    take() {
      const s = samples;
      samples = [];
      return s;
    },
    restore() {
      proto.onKamailio = onKamailio;
      EvapiClient.prototype.send = send;
    },
  };
}

async function sequentialCalls(lab: Lab, caller: SipCaller, target: string, n: number) {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const call = caller.call(target);
    const code = await call.outcome;
    if (code !== 200) throw new Error(`${target}: call ${i} ended with ${code}`);
    samples.push(call.setupMs()!);
    await call.hangup();
    await call.ended;
    // The agent must be free again (task completed) before the next queue call.
    if (target.startsWith('queue-')) {
      await waitFor(
        async () =>
          (
            await lab.api<{ status: { state: string } }>('/api/v1/me', {
              token: lab.agents[0]!.token,
            })
          ).status.state === 'available',
        'agent available',
      );
    }
  }
  return samples;
}

/**
 * Softphone benchmark against a real Kamailio and an in-process hub (PGlite), signalling only
 * (media-less SDH on both ends): registration, direct vs hub-routed call setup, routing rate.
 */
export async function phoneBench(
  opts: PhoneBenchOptions,
): Promise<PhoneBenchResult | { skipped: string }> {
  const why = kamailioUnavailable();
  if (why) return { skipped: why };
  const pg = opts.db === 'postgres' ? await startPostgres() : null;
  const databaseUrl = pg ? await pg.createDatabase('phone_bench') : undefined;
  const lab = await startLab({
    ...(databaseUrl ? { databaseUrl } : {}),
    agents: Math.max(opts.agents, 1),
    queues: [
      {
        name: 'orders',
        channels: ['voice'],
        priority: 10,
        offerTimeouts: { voice: 20 },
        wrapUpSeconds: 0,
      },
    ],
  });
  try {
    for (const a of lab.agents) a.answerDelayMs = 0;
    // Registration of a fresh user agent, n times.
    const registerMs: number[] = [];
    for (let i = 0; i < opts.calls; i++) {
      const phone = new Softphone({
        account: lab.agents[0]!.sip,
        sdhFactory: cannedSdhFactory,
        logger: quiet,
        onChange: () => undefined,
      });
      const t0 = performance.now();
      await phone.start();
      await phone.waitRegistered(5000);
      registerMs.push(performance.now() - t0);
      await phone.stop();
    }
    await new Promise((r) => setTimeout(r, 300));
    // The measured agent must be registered again (the fresh UAs above unregistered the AOR's
    // contacts they added only; re-register to be sure).
    await lab.agents[0]!.phone.waitRegistered(5000);

    const caller = new SipCaller(lab.kamailio.wsUrl, lab.kamailio.domain, '+48600999000');
    await caller.start();
    await lab.setState(lab.agents[0]!, 'available');
    // Warm-up (JIT, HA1 cache, connections), not measured.
    await sequentialCalls(lab, caller, 'agent1', 3);
    await sequentialCalls(lab, caller, 'queue-orders', 3);
    const direct = await sequentialCalls(lab, caller, 'agent1', opts.calls);
    const timer = hubTimer();
    let queued: number[];
    let hubPart: number[];
    try {
      queued = await sequentialCalls(lab, caller, 'queue-orders', opts.calls);
      hubPart = timer.take();
    } finally {
      timer.restore();
    }

    // Routing burst: every agent available, as many calls at once; time until all are answered.
    for (const a of lab.agents) {
      a.hangupAfterMs = 50;
      await lab.setState(a, 'available');
    }
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    const burst = Array.from({ length: lab.agents.length }, (_, i) =>
      caller.call('queue-orders', `+4860077${String(i).padStart(4, '0')}`),
    );
    const codes = await Promise.all(burst.map((c) => c.outcome));
    const elapsed = performance.now() - t0;
    if (codes.some((c) => c !== 200)) throw new Error(`burst: ${codes.join(',')}`);
    await Promise.all(burst.map((c) => c.ended));
    await caller.stop();

    const d = summarize(direct);
    const q = summarize(queued);
    return {
      registerMs: summarize(registerMs),
      inviteDirectMs: d,
      inviteQueueMs: q,
      hubQueueMs: summarize(hubPart),
      queueOverheadRatio: Math.round((q.p50 / d.p50) * 100) / 100,
      routingDecisionsPerSecond: Math.round((lab.agents.length / elapsed) * 1000),
      db: opts.db ?? 'pglite',
      note: `loopback; Kamailio 5.6 + hub + sip.js in one machine; ${opts.calls} calls each; burst of ${lab.agents.length} calls to ${lab.agents.length} agents`,
    };
  } finally {
    await lab.stop();
    await pg?.stop();
  }
}
