import { type HubEvent } from '../../shared/api/index.js';
import { type CallRecord } from '../../shared/api/telephony.js';
import { refreshAgent } from '../agents/state.js';
import { addMs, msBetween } from '../clock.js';
import { type HubContext } from '../context.js';
import { matchOrCreateCustomer } from '../customers/match.js';
import { type Query } from '../db/db.js';
import { appendEvents, type NewEvent } from '../events/append.js';
import { isOpen } from '../routing/business-hours.js';
import {
  acceptOffer,
  expireOffer,
  loadTicketSummary,
  rejectOffer,
  type TaskRow,
} from '../routing/offers.js';
import { offerTimeoutSeconds, type QueueRow } from '../routing/queues.js';
import { routeBatch } from '../routing/router.js';
import { completeTask } from '../tasks/complete.js';
import { cancelTimer, scheduleTimer } from '../timers/store.js';
import { iso, isoOrNull } from '../time.js';
import { type TelephonyConfig } from './config.js';
import { EvapiClient } from './evapi-client.js';
import { type HubCommand, KamailioMessage } from './kamailio-messages.js';
import { agentBySipUser, sipUserOfAgent } from './sip-accounts.js';

type CallState = 'waiting' | 'ringing' | 'connected' | 'ended';

/** What the hub remembers of a queue call while it lives (the `calls` row is the record). */
interface LiveCall {
  id: string;
  callId: string;
  callerTag: string;
  taskId: string;
  queueId: string;
  state: CallState;
  /** The suspended transaction (valid while `waiting`). */
  tindex: number;
  tlabel: number;
  agentId: string | null;
  offerId: string | null;
  /** An offer the router made while Kamailio was still ringing someone: sent on the next failure. */
  pending: { agentId: string; offerId: string | null } | null;
  /** The task ended (max wait) while ringing: end the call when the branch fails. */
  endOnFailure: { code: number; reason: string } | null;
  enteredAt: Date;
  /** Serialises this call's handling (Kamailio messages and hub events). */
  chain: Promise<void>;
}

const SIP_REASON = {
  noQueue: [404, 'Unknown Queue'],
  afterHours: [480, 'Closed'],
  full: [486, 'Queue Full'],
  maxWait: [480, 'No Agent Available'],
  abandoned: [487, 'Request Terminated'],
} as const;

/**
 * Contact-center calls: Kamailio suspends each `queue-<name>` INVITE and tells the hub; the call
 * becomes a voice task of the routing engine (a ticket for the caller's customer, found or
 * created by phone); when the router offers it to an agent, Kamailio is told to ring that agent
 * for the offer's time. The ring's outcome comes back: answer → offer accepted; no answer →
 * missed offer (agent paused) and the next agent; decline → rejected. Hang-up → the task is
 * completed (wrap-up per queue). Abandon, max wait, after hours and a full queue end the call,
 * the last three with a callback task for the caller's number. Every step is in the event log.
 */
export class CallCenter {
  private readonly live = new Map<string, LiveCall>();
  private readonly byTask = new Map<string, LiveCall>();
  private readonly evapi: EvapiClient | null;
  private unsubscribe: (() => void) | undefined;
  private readonly tasks = new Set<Promise<unknown>>();

  constructor(
    private readonly ctx: HubContext,
    readonly config: TelephonyConfig,
  ) {
    this.evapi = config.evapi
      ? new EvapiClient({
          ...config.evapi,
          log: ctx.log,
          onMessage: (m) => this.onKamailio(m),
          onConnect: () => this.proxyConnected(),
        })
      : null;
  }

  start(): void {
    this.unsubscribe = this.ctx.feed.subscribe((event) => this.onHubEvent(event));
    this.evapi?.start();
  }

  /** For tests: resolves once connected to Kamailio's evapi socket. */
  waitConnected(timeoutMs = 5000): Promise<boolean> {
    return this.evapi ? this.evapi.waitConnected(timeoutMs) : Promise.resolve(false);
  }

  get kamailioConnected(): boolean {
    return this.evapi?.connected ?? false;
  }

  /** Resolves when every call's pending work is done (tests, benchmarks, shutdown). */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.evapi?.stop();
    await this.idle();
  }

  private track(p: Promise<unknown>): void {
    this.tasks.add(p);
    void p.finally(() => this.tasks.delete(p));
  }

  private onKamailio(raw: unknown): void {
    const parsed = KamailioMessage.safeParse(raw);
    if (!parsed.success) {
      this.ctx.log.warn(
        { issues: parsed.error.issues.slice(0, 3) },
        'telephony: unknown evapi message',
      );
      return;
    }
    const m = parsed.data;
    if (m.event === 'enter') {
      this.track(
        this.enter(m).catch((err: unknown) => {
          this.ctx.log.error(
            { err, callId: m.callid },
            'telephony: call could not enter the queue',
          );
          this.command({
            tindex: m.tindex,
            tlabel: m.tlabel,
            action: 'reply',
            code: 503,
            reason: 'Queue Error',
          });
        }),
      );
      return;
    }
    const call = this.live.get(m.callid);
    if (!call) {
      if (m.event === 'failed') {
        // Not ours any more (hub restarted?): end the suspended transaction rather than leak it.
        this.command({
          tindex: m.tindex,
          tlabel: m.tlabel,
          action: 'reply',
          code: 480,
          reason: 'No Agent Available',
        });
      }
      return;
    }
    this.serial(call, async () => {
      switch (m.event) {
        case 'failed':
          call.tindex = m.tindex;
          call.tlabel = m.tlabel;
          return this.ringFailed(call, m.agent, m.code);
        case 'answered':
          return this.answered(call, m.agent);
        case 'cancel':
          return this.abandoned(call);
        case 'bye':
          return this.hungUp(call, m.ftag === call.callerTag ? 'caller' : 'agent');
        case 'refer':
          return this.referred(call, m.referTo);
      }
    });
  }

  private serial(call: LiveCall, fn: () => Promise<void>): void {
    const next = call.chain.then(fn).catch((err: unknown) => {
      this.ctx.log.error({ err, callId: call.callId }, 'telephony: call handling failed');
    });
    call.chain = next;
    this.track(next);
  }

  private connections = 0;

  /** Every evapi (re)connection after the first: calls not yet connected are lost (see abandoned). */
  private proxyConnected(): void {
    if (this.connections++ === 0) return;
    for (const call of [...this.live.values()]) {
      if (call.state === 'waiting' || call.state === 'ringing') {
        this.serial(call, () => this.abandoned(call, 'proxy_lost'));
      }
    }
  }

  private command(cmd: HubCommand): void {
    this.evapi?.send(cmd);
  }

  /**
   * One routing step now, in this hub's own transaction (a caller is waiting: no coalescing
   * delay), and ring what it offered at once instead of waiting for the event feed. The feed's
   * copy of the same offer is recognised in ring(). A full batch leaves the rest to the router.
   */
  private async routeNow(): Promise<void> {
    const r = await this.ctx.tx(async (q) => {
      const res = await routeBatch(q, this.ctx.clock.now());
      await appendEvents(q, res.events);
      return res;
    });
    this.ringOffered(r);
  }

  /** Rings the agents a routing step offered calls to (other tasks reach consoles by the feed). */
  private ringOffered(r: Awaited<ReturnType<typeof routeBatch>>): void {
    for (const res of r.results) {
      const call = this.byTask.get(res.task.id);
      const agentId = res.task.agent_id;
      if (!call || !agentId) continue;
      const offerId = res.offer?.id ?? null;
      this.serial(call, () => this.ring(call, agentId, offerId));
    }
    if (r.more) void this.ctx.router.run();
  }

  private readonly sipUsers = new Map<string, string>();
  private readonly ringTimes = new Map<string, { ms: number; at: number }>();

  private async sipUser(agentId: string): Promise<string | null> {
    const known = this.sipUsers.get(agentId);
    if (known) return known;
    const user = await sipUserOfAgent(this.ctx.db.query, agentId);
    if (user) this.sipUsers.set(agentId, user);
    return user;
  }

  /** How long Kamailio rings an agent for this queue: the offer timeout minus the margin. */
  private async ringMs(queueId: string): Promise<number> {
    const cached = this.ringTimes.get(queueId);
    if (cached && Date.now() - cached.at < 10_000) return cached.ms;
    const queue = (
      await this.ctx.db.query<QueueRow>('select * from queues where id = $1', [queueId])
    )[0]!;
    const ms = Math.max(
      3000,
      offerTimeoutSeconds(queue, 'voice') * 1000 - this.config.ringMarginMs,
    );
    this.ringTimes.set(queueId, { ms, at: Date.now() });
    return ms;
  }

  // ---- Kamailio → hub ------------------------------------------------------------------------

  private async enter(m: Extract<KamailioMessage, { event: 'enter' }>): Promise<void> {
    if (this.live.has(m.callid)) return; // a retransmission cannot suspend twice; ignore
    const now = this.ctx.clock.now();
    const r = await this.ctx.tx(async (q) => {
      const queue = (await q<QueueRow>(`select * from queues where name = $1`, [m.queue]))[0];
      if (!queue || !queue.channels.includes('voice'))
        return { reply: SIP_REASON.noQueue } as const;
      const events: NewEvent[] = [];
      const from = m.from || 'anonymous';
      const customer = await matchOrCreateCustomer(q, {
        phone: from,
        ...(m.fromName && m.fromName !== from ? { name: m.fromName } : {}),
      });
      events.push(...customer.events);
      const ticket = (
        await q<{ id: string }>(
          `insert into tickets (subject, channel, queue_id, customer_id) values ($1, 'voice', $2, $3)
           returning id`,
          [`Call from ${from}`, queue.id, customer.customerId],
        )
      )[0]!;
      const ids = { ticketId: ticket.id, queueId: queue.id };
      events.push({
        type: 'ticket.created',
        ...ids,
        data: { ticket: await loadTicketSummary(q, ticket.id) },
      });

      const base = {
        callId: m.callid,
        from,
        customerId: customer.customerId,
      };
      const record = async (
        state: CallState,
        taskId: string | null,
        outcome: string | null,
        callbackTaskId: string | null = null,
      ) =>
        (
          await q<{ id: string }>(
            `insert into calls (call_id, queue_name, from_number, state, task_id, ticket_id, customer_id,
               entered_at, ended_at, outcome, callback_task_id)
             values ($1, $2, $3, $4, $5, $6, $7, $8, case when $4 = 'ended' then $8::timestamptz end, $9, $10)
             returning id`,
            [
              m.callid,
              queue.name,
              from,
              state,
              taskId,
              ticket.id,
              customer.customerId,
              now,
              outcome,
              callbackTaskId,
            ],
          )
        )[0]!.id;

      if (!isOpen(queue.business_hours, now)) {
        const callback = await this.callbackTask(
          q,
          queue,
          ticket.id,
          now,
          'after_hours',
          base,
          events,
        );
        events.push({
          type: 'queue.after_hours',
          ...ids,
          taskId: callback,
          data: { channel: 'voice', ...base },
        });
        await record('ended', null, 'after_hours', callback);
        await appendEvents(q, events);
        return { reply: SIP_REASON.afterHours } as const;
      }
      if (queue.max_queued) {
        const n = (
          await q<{ n: number }>(
            `select count(*)::int as n from tasks where queue_id = $1 and status in ('queued', 'offered')
               and channel = 'voice'`,
            [queue.id],
          )
        )[0]!.n;
        if (Number(n) >= Number(queue.max_queued)) {
          const callback = await this.callbackTask(
            q,
            queue,
            ticket.id,
            now,
            'queue_full',
            base,
            events,
          );
          events.push({
            type: 'queue.full',
            ...ids,
            taskId: callback,
            data: {
              channel: 'voice',
              queued: Number(n),
              maxQueued: Number(queue.max_queued),
              ...base,
            },
          });
          await record('ended', null, 'queue_full', callback);
          await appendEvents(q, events);
          return { reply: SIP_REASON.full } as const;
        }
      }
      const sla = addMs(now, Number(queue.service_level_seconds) * 1000);
      const task = (
        await q<TaskRow>(
          `insert into tasks (ticket_id, queue_id, channel, status, priority, created_at, sla_deadline, language, skills)
           values ($1, $2, 'voice', 'queued', $3, $4, $5, $6, $7::jsonb) returning *`,
          [
            ticket.id,
            queue.id,
            Number(queue.priority),
            now,
            sla,
            queue.language ?? null,
            JSON.stringify(queue.required_skills ?? {}),
          ],
        )
      )[0]!;
      if (queue.max_wait_seconds) {
        await scheduleTimer(q, {
          key: `maxwait:${task.id}`,
          kind: 'task_max_wait',
          dueAt: addMs(now, Number(queue.max_wait_seconds) * 1000),
          taskId: task.id,
        });
      }
      events.push({
        type: 'task.queued',
        ...ids,
        taskId: task.id,
        data: {
          channel: 'voice',
          priority: Number(queue.priority),
          slaDeadline: sla.toISOString(),
          ...base,
        },
      });
      const id = await record('waiting', task.id, null);
      await appendEvents(q, events);
      return { reply: null, id, taskId: task.id, queueId: queue.id } as const;
    });
    if (r.reply) {
      this.command({
        tindex: m.tindex,
        tlabel: m.tlabel,
        action: 'reply',
        code: r.reply[0],
        reason: r.reply[1],
      });
      return;
    }
    const call: LiveCall = {
      id: r.id,
      callId: m.callid,
      callerTag: m.ftag,
      taskId: r.taskId,
      queueId: r.queueId,
      state: 'waiting',
      tindex: m.tindex,
      tlabel: m.tlabel,
      agentId: null,
      offerId: null,
      pending: null,
      endOnFailure: null,
      enteredAt: now,
      chain: Promise.resolve(),
    };
    this.live.set(call.callId, call);
    this.byTask.set(call.taskId, call);
    // Routed right after the commit, not inside it: the customer's row lock (taken by the
    // match) must not be held while routing locks tasks and agents (deadlocks on PostgreSQL when
    // many calls of one number arrive at once).
    await this.routeNow();
  }

  /** A callback task on the call's ticket (the caller's number is on the customer). */
  private async callbackTask(
    q: Query,
    queue: QueueRow,
    ticketId: string,
    now: Date,
    reason: string,
    base: Record<string, unknown>,
    events: NewEvent[],
  ): Promise<string> {
    const task = (
      await q<TaskRow>(
        `insert into tasks (ticket_id, queue_id, channel, status, priority, created_at)
         values ($1, $2, 'callback', 'queued', $3, $4) returning *`,
        [ticketId, queue.id, Number(queue.priority), now],
      )
    )[0]!;
    events.push({
      type: 'task.queued',
      ticketId,
      queueId: queue.id,
      taskId: task.id,
      data: { channel: 'callback', priority: Number(queue.priority), reason, ...base },
    });
    return task.id;
  }

  private async ringFailed(call: LiveCall, agentUser: string, code: number): Promise<void> {
    const now = this.ctx.clock.now();
    call.state = 'waiting';
    const agentId = call.agentId ?? (await agentBySipUser(this.ctx.db.query, agentUser));
    const offerId = call.offerId;
    call.agentId = null;
    call.offerId = null;
    await this.ctx.tx(async (q) => {
      await q(`update calls set state = 'waiting', agent_id = null where id = $1`, [call.id]);
      if (!agentId || !offerId) return;
      let events: NewEvent[];
      if (code === 408 || code === 480) {
        // Ring-no-answer: a missed offer (the agent is paused per the hub's rule).
        events = await expireOffer(q, offerId, now, this.ctx.config.missedOffersBeforePause);
      } else {
        const reason = code === 486 || code === 600 || code === 603 ? 'declined' : `sip_${code}`;
        events = await rejectOffer(q, agentId, offerId, reason, now).catch(() => []);
      }
      await appendEvents(q, events);
    });
    if (call.endOnFailure) {
      const { code: c, reason } = call.endOnFailure;
      await this.endCall(call, c, reason);
      return;
    }
    if (call.pending) {
      const p = call.pending;
      call.pending = null;
      await this.ring(call, p.agentId, p.offerId);
      return;
    }
    await this.routeNow();
  }

  private async answered(call: LiveCall, agentUser: string): Promise<void> {
    if (call.state !== 'ringing') return;
    const now = this.ctx.clock.now();
    const agentId = call.agentId ?? (await agentBySipUser(this.ctx.db.query, agentUser));
    call.state = 'connected';
    await this.ctx.tx(async (q) => {
      await q(
        `update calls set state = 'connected', answered_at = $2, agent_id = $3 where id = $1`,
        [call.id, now, agentId],
      );
      if (call.offerId && agentId) {
        const r = await acceptOffer(q, agentId, call.offerId, now).catch((err: unknown) => {
          this.ctx.log.warn(
            { err, callId: call.callId },
            'telephony: answered call had no pending offer',
          );
          return null;
        });
        if (r) await appendEvents(q, r.events);
      }
    });
  }

  /**
   * The caller is gone: hung up (CANCEL), or — `proxy_lost` — the call's transaction cannot be
   * trusted after the evapi connection came back (a Kamailio restart kills suspended calls, and
   * the hub would otherwise keep offering dead calls and pause agents for not answering them).
   */
  private async abandoned(
    call: LiveCall,
    cause: 'caller' | 'proxy_lost' = 'caller',
  ): Promise<void> {
    if (call.state !== 'waiting' && call.state !== 'ringing') return;
    const revokeReason = cause === 'caller' ? 'caller_abandoned' : 'proxy_lost';
    const wasWaiting = call.state === 'waiting';
    const now = this.ctx.clock.now();
    await this.ctx.tx(async (q) => {
      const task = (
        await q<TaskRow>(
          `select t.* from tasks t join tickets k on k.id = t.ticket_id where t.id = $1 for update of t, k`,
          [call.taskId],
        )
      )[0];
      const queue = (await q<QueueRow>('select * from queues where id = $1', [call.queueId]))[0]!;
      const waitMs = msBetween(call.enteredAt, now);
      const short = waitMs < Number(queue.short_abandon_seconds) * 1000;
      const events: NewEvent[] = [];
      if (task && (task.status === 'queued' || task.status === 'offered')) {
        const pending = await q<{ id: string; agent_id: string; offered_at: Date | string }>(
          `select id, agent_id, offered_at from offers where task_id = $1 and status = 'pending' for update`,
          [task.id],
        );
        for (const p of pending) {
          await q(
            `update offers set status = 'revoked', answered_at = $2, reason = $3 where id = $1`,
            [p.id, now, revokeReason],
          );
          await cancelTimer(q, `offer:${p.id}`);
          events.push({
            type: 'offer.revoked',
            agentId: p.agent_id,
            ticketId: task.ticket_id,
            taskId: task.id,
            queueId: task.queue_id,
            data: {
              offerId: p.id,
              channel: 'voice',
              ringMs: msBetween(p.offered_at, now),
              waitMs,
              reason: revokeReason,
            },
          });
        }
        await q(
          `update tasks set status = 'abandoned', agent_id = null, completed_at = $2 where id = $1`,
          [task.id, now],
        );
        await cancelTimer(q, `maxwait:${task.id}`);
        events.push({
          type: 'task.abandoned',
          ticketId: task.ticket_id,
          taskId: task.id,
          queueId: task.queue_id,
          data: {
            channel: 'voice',
            callId: call.callId,
            waitMs,
            enteredAt: iso(task.created_at),
            short,
            shortAbandonSeconds: Number(queue.short_abandon_seconds),
            ringing: !wasWaiting,
            ...(cause === 'proxy_lost' ? { reason: 'proxy_lost' } : {}),
          },
        });
        for (const p of pending)
          events.push(...(await refreshAgent(q, p.agent_id, now, 'routing')).events);
      }
      await q(`update calls set state = 'ended', ended_at = $2, outcome = $3 where id = $1`, [
        call.id,
        now,
        cause === 'proxy_lost' ? 'proxy_lost' : short ? 'short_abandoned' : 'abandoned',
      ]);
      await appendEvents(q, events);
    });
    this.forget(call);
    // Ringing: tm cancels the agent's branch itself. Waiting: end the suspended transaction
    // (after a mere network blip it still exists; after a restart the command is a no-op).
    if (wasWaiting) {
      const [code, reason] = cause === 'caller' ? SIP_REASON.abandoned : SIP_REASON.maxWait;
      this.command({ tindex: call.tindex, tlabel: call.tlabel, action: 'reply', code, reason });
    }
    await this.routeNow();
  }

  private async hungUp(call: LiveCall, by: 'caller' | 'agent'): Promise<void> {
    if (call.state !== 'connected') return;
    const now = this.ctx.clock.now();
    await this.ctx.tx(async (q) => {
      const task = (
        await q<TaskRow>(
          `select t.* from tasks t join tickets k on k.id = t.ticket_id where t.id = $1 for update of t, k`,
          [call.taskId],
        )
      )[0];
      const transferred =
        (
          await q<{ outcome: string | null }>('select outcome from calls where id = $1', [call.id])
        )[0]?.outcome === 'transferred';
      await q(
        `update calls set state = 'ended', ended_at = $2, outcome = coalesce(outcome, $3) where id = $1`,
        [call.id, now, by === 'caller' ? 'completed_caller' : 'completed_agent'],
      );
      if (task?.status === 'assigned') {
        const events = await completeTask(q, task, now, {
          topic: null,
          by: null,
          endedBy: 'agent',
          requireTopic: false,
        });
        // completeTask describes the task; who hung up is the call's own fact (COMPLETECALLER/AGENT),
        // added to the completion (or, with wrap-up time, to the wrap-up start that precedes it).
        for (const e of events) {
          if (e.type === 'task.completed' || e.type === 'agent.wrap_up_started')
            e.data = { ...e.data, callId: call.callId, hangupBy: by, transferred };
        }
        await appendEvents(q, events);
      }
    });
    this.forget(call);
    await this.routeNow();
  }

  private async referred(call: LiveCall, referTo: string): Promise<void> {
    const attended = /replaces/i.test(referTo);
    const target = /sip:([^@;>?]+)/i.exec(referTo)?.[1] ?? referTo;
    await this.ctx.tx(async (q) => {
      await q(`update calls set outcome = 'transferred' where id = $1`, [call.id]);
      const task = (await q<TaskRow>('select * from tasks where id = $1', [call.taskId]))[0];
      await appendEvents(q, [
        {
          type: 'task.transferred',
          agentId: call.agentId,
          ticketId: task?.ticket_id ?? null,
          taskId: call.taskId,
          queueId: call.queueId,
          data: {
            channel: 'voice',
            callId: call.callId,
            kind: attended ? 'attended' : 'blind',
            to: decodeURIComponent(target),
          },
        },
      ]);
    });
  }

  // ---- hub → Kamailio ------------------------------------------------------------------------

  private onHubEvent(event: HubEvent): void {
    if (!event.taskId) return;
    const call = this.byTask.get(event.taskId);
    if (!call) return;
    if (event.type === 'offer.created' && event.agentId) {
      const offer = event.data.offer as { id?: string } | undefined;
      const agentId = event.agentId;
      this.serial(call, () => this.ring(call, agentId, offer?.id ?? null));
    } else if (
      event.type === 'task.assigned' &&
      event.agentId &&
      event.data.autoAccepted === true
    ) {
      // A queue that auto-accepts voice: ring the agent all the same (no offer to answer).
      const agentId = event.agentId;
      this.serial(call, () => this.ring(call, agentId, null));
    } else if (event.type === 'task.timed_out') {
      this.serial(call, () => this.maxWait(call));
    }
  }

  private async ring(call: LiveCall, agentId: string, offerId: string | null): Promise<void> {
    if (call.state === 'ended' || call.state === 'connected') return;
    // The same offer reaches us twice (routeNow and the event feed): ring once.
    if (call.state === 'ringing' && call.agentId === agentId && call.offerId === offerId) return;
    if (call.pending?.agentId === agentId && call.pending.offerId === offerId) return;
    if (call.state === 'ringing') {
      call.pending = { agentId, offerId };
      return;
    }
    call.state = 'ringing';
    call.agentId = agentId;
    call.offerId = offerId;
    const [user, ringMs] = await Promise.all([this.sipUser(agentId), this.ringMs(call.queueId)]);
    if (!user) {
      // An agent without a SIP account cannot ring: same as unreachable.
      await this.ringFailed(call, '', 404);
      return;
    }
    // Record without waiting: the single-connection store runs it before later updates anyway.
    void this.ctx.db
      .query(
        `update calls set state = 'ringing', agent_id = $2, offered_to = offered_to || $2::uuid
         where id = $1`,
        [call.id, agentId],
      )
      .catch((err: unknown) => this.ctx.log.error({ err }, 'telephony: call row not updated'));
    this.command({
      tindex: call.tindex,
      tlabel: call.tlabel,
      action: 'route',
      agent: user,
      ring: ringMs,
    });
  }

  private async maxWait(call: LiveCall): Promise<void> {
    if (call.state === 'connected' || call.state === 'ended') return;
    const now = this.ctx.clock.now();
    const callback = await this.ctx.tx(async (q) => {
      const queue = (await q<QueueRow>('select * from queues where id = $1', [call.queueId]))[0]!;
      const task = (await q<TaskRow>('select * from tasks where id = $1', [call.taskId]))[0]!;
      const events: NewEvent[] = [];
      const id = await this.callbackTask(
        q,
        queue,
        task.ticket_id,
        now,
        'max_wait',
        { callId: call.callId },
        events,
      );
      await q(`update calls set outcome = 'max_wait', callback_task_id = $2 where id = $1`, [
        call.id,
        id,
      ]);
      await appendEvents(q, events);
      return id;
    });
    this.ctx.log.info({ callId: call.callId, callback }, 'telephony: maximum wait reached');
    if (call.state === 'ringing') {
      call.endOnFailure = { code: SIP_REASON.maxWait[0], reason: SIP_REASON.maxWait[1] };
      return;
    }
    await this.endCall(call, SIP_REASON.maxWait[0], SIP_REASON.maxWait[1]);
    await this.routeNow();
  }

  private async endCall(call: LiveCall, code: number, reason: string): Promise<void> {
    await this.ctx.db.query(`update calls set state = 'ended', ended_at = $2 where id = $1`, [
      call.id,
      this.ctx.clock.now(),
    ]);
    this.forget(call);
    this.command({ tindex: call.tindex, tlabel: call.tlabel, action: 'reply', code, reason });
  }

  private forget(call: LiveCall): void {
    call.state = 'ended';
    this.live.delete(call.callId);
    this.byTask.delete(call.taskId);
  }
}

interface CallRow {
  [key: string]: unknown;
  id: string;
  call_id: string;
  queue_name: string;
  from_number: string;
  state: CallRecord['state'];
  task_id: string | null;
  ticket_id: string | null;
  customer_id: string | null;
  agent_id: string | null;
  offered_to: string[];
  entered_at: Date | string;
  answered_at: Date | string | null;
  ended_at: Date | string | null;
  outcome: string | null;
  callback_task_id: string | null;
}

export function callRecord(row: CallRow): CallRecord {
  return {
    id: row.id,
    callId: row.call_id,
    queue: row.queue_name,
    from: row.from_number,
    state: row.state,
    taskId: row.task_id,
    ticketId: row.ticket_id,
    customerId: row.customer_id,
    agentId: row.agent_id,
    offeredTo: row.offered_to ?? [],
    enteredAt: iso(row.entered_at),
    answeredAt: isoOrNull(row.answered_at),
    endedAt: isoOrNull(row.ended_at),
    outcome: row.outcome,
    callbackTaskId: row.callback_task_id,
  };
}

export async function listCalls(q: Query, limit = 200): Promise<CallRecord[]> {
  const rows = await q<CallRow>('select * from calls order by entered_at desc, id limit $1', [
    limit,
  ]);
  return rows.map(callRecord);
}
