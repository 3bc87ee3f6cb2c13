import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type HubEvent } from '../../shared/api/index.js';
import { type CallRecord } from '../../shared/api/telephony.js';
import { refreshAgent } from '../agents/state.js';
import { addMs, msBetween } from '../clock.js';
import { type HubContext } from '../context.js';
import { callerLookup, type CallerRow, matchOrCreateCustomer } from '../customers/match.js';
import { type Query, readTogether, writeLater } from '../db/db.js';
import { appendEvents, type NewEvent } from '../events/append.js';
import { isOpen } from '../routing/business-hours.js';
import { acceptOffer, expireOffer, rejectOffer, type TaskRow } from '../routing/offers.js';
import { offerTimeoutSeconds, type QueueRow } from '../routing/queues.js';
import { routeBatch } from '../routing/router.js';
import { completeTask } from '../tasks/complete.js';
import { cancelTimer, scheduleTimer } from '../timers/store.js';
import { iso, isoOrNull } from '../time.js';
import { newTicketRow, ticketSummary } from '../tickets/rows.js';
import { type TelephonyConfig } from './config.js';
import { EvapiBuffer } from './evapi-buffer.js';
import { type ConnectInfo, EvapiClient } from './evapi-client.js';
import { EvapiGap } from './evapi-gap.js';
import { OwnerElection } from './evapi-owner.js';
import { resumeCalls } from './call-resume.js';
import { type HubCommand, KamailioMessage } from './kamailio-messages.js';
import { agentBySipUser, sipUserOfAgent } from './sip-accounts.js';

export type CallState = 'waiting' | 'ringing' | 'connected' | 'ended';

/** What the hub remembers of a queue call while it lives (the `calls` row is the record). */
export interface LiveCall {
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
  /** SIP user being rung (a late `failed` for an earlier agent is recognised by it). */
  agentUser: string | null;
  /**
   * The id of the ring going on (sent with `route`, echoed by Kamailio in the ring's outcome): a
   * late or replayed outcome of an earlier ring — even of the same agent — is recognised by it.
   * The offer id when there is one (a new owner knows it from the offers table).
   */
  ringId: string | null;
  /** Kamailio's instance id (its hello) when the call entered: null = unknown (old row/config). */
  proxyInstance: string | null;
  /**
   * Taken over from another hub while ringing: Kamailio's report of that ring may have been sent
   * while no hub listened, so an offer that times out on the hub timer ends the call.
   */
  resumed: boolean;
  /** Marked on an evapi reconnection, before held commands are flushed (they must not go out). */
  proxyLost?: boolean;
}

/** What `/telephony/status` shows. */
export interface CallCenterStatus {
  hubId: string;
  evapiOwner: boolean;
  kamailioConnected: boolean;
  liveCalls: number;
  heldCommands: number;
  /** Kamailio messages recovered from standbys after this owner's own evapi blips. */
  gapRecovered: number;
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
  /**
   * Every hub with evapi configured stays connected (standbys too: see EvapiBuffer); only the
   * owner (`owning`, see OwnerElection) acts on messages and sends commands.
   */
  private evapi: EvapiClient | null = null;
  private owning = false;
  /** The new owner is resuming calls: messages are buffered, replayed in order afterwards. */
  private takingOver = false;
  private readonly buffer: EvapiBuffer;
  /** The last buffered message this hub handled as owner (not replayed again). */
  private handledSeq = 0;
  private readonly election: OwnerElection | null;
  /** Asks the standbys for what Kamailio sent during this owner's blip (PostgreSQL only). */
  private readonly gap: EvapiGap | null;
  /** Gap recoveries scheduled or running: live messages are only buffered meanwhile. */
  private recovering = 0;
  private gapChain: Promise<void> = Promise.resolve();
  private gapRecovered = 0;
  /** Call-IDs in enter() right now: a replay of the same enter must not insert a second row. */
  private readonly enteringIds = new Set<string>();
  private unsubscribe: (() => void) | undefined;
  private readonly tasks = new Set<Promise<unknown>>();
  readonly hubId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly ctx: HubContext,
    readonly config: TelephonyConfig,
  ) {
    this.election = config.evapi
      ? new OwnerElection({
          db: ctx.db,
          log: ctx.log,
          hubId: this.hubId,
          onAcquire: () => this.becomeOwner(),
          onLose: (reason) => this.stepDown(reason),
          ...(config.ownerRetryMs ? { retryMinMs: config.ownerRetryMs[0] } : {}),
          ...(config.ownerRetryMs ? { retryMaxMs: config.ownerRetryMs[1] } : {}),
        })
      : null;
    this.buffer = new EvapiBuffer(
      config.replayMs !== undefined ? { maxAgeMs: config.replayMs } : {},
    );
    this.gap =
      config.evapi && ctx.db.kind === 'postgres'
        ? new EvapiGap({ db: ctx.db, log: ctx.log, hubId: this.hubId, buffer: this.buffer })
        : null;
  }

  start(): void {
    this.unsubscribe = this.ctx.feed.subscribe((event) => this.onHubEvent(event));
    if (this.config.evapi) {
      this.evapi = new EvapiClient({
        ...this.config.evapi,
        log: this.ctx.log,
        onMessage: (m, bytes) => this.onEvapi(m, bytes),
        onConnect: (info) => this.proxyConnected(info),
        ...(this.config.holdCommandsMs !== undefined ? { holdMs: this.config.holdCommandsMs } : {}),
      });
      this.evapi.start();
    }
    this.gapListening = this.gap
      ?.start()
      .catch((err: unknown) =>
        this.ctx.log.error({ err }, 'telephony: evapi gap channels not listened to'),
      );
    this.election?.start();
  }

  private gapListening: Promise<void> | undefined;

  /**
   * Closes this hub's evapi socket as a network blip would (tests); it reconnects at once, or
   * after `reconnectAfterMs` at the earliest.
   */
  blipEvapi(reconnectAfterMs = 0): void {
    this.evapi?.blip(reconnectAfterMs);
  }

  /** Resolves when no gap recovery runs (tests). */
  async gapIdle(): Promise<void> {
    await this.gapListening;
    while (this.recovering > 0) await this.gapChain;
  }

  /** Resolves once this hub is the owner and connected to Kamailio's evapi socket (tests). */
  async waitConnected(timeoutMs = 5000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.kamailioConnected || !this.owning || this.takingOver) {
      if (Date.now() >= until || !this.election) return false;
      await new Promise((r) => setTimeout(r, 25));
    }
    return true;
  }

  /** Kamailio's instance id from its last hello on this hub's evapi socket. */
  get proxyInstance(): string | null {
    return this.evapi?.kamailioInstance ?? null;
  }

  get kamailioConnected(): boolean {
    return this.evapi?.connected ?? false;
  }

  get status(): CallCenterStatus {
    return {
      hubId: this.hubId,
      evapiOwner: this.election?.isOwner ?? false,
      kamailioConnected: this.kamailioConnected,
      liveCalls: this.live.size,
      heldCommands: this.evapi?.heldCount ?? 0,
      gapRecovered: this.gapRecovered,
    };
  }

  /** Resolves when every call's pending work is done (tests, benchmarks, shutdown). */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.election?.stop();
    await this.gapChain;
    await this.idle();
    await this.evapi?.stop();
    await this.gapListening;
    await this.gap?.stop();
  }

  // ---- ownership -----------------------------------------------------------------------------

  /**
   * This hub now holds the evapi lock: take the live calls over from the `calls` table first
   * (Kamailio still holds their transactions), then connect — so no message about a call arrives
   * before the call is known. Commands issued meanwhile wait in the client and go out on connect.
   */
  private async becomeOwner(): Promise<void> {
    if (!this.config.evapi) return;
    const term = ++this.term;
    this.owning = true;
    this.takingOver = true;
    try {
      const { resumed, ended } = await resumeCalls(this);
      const previous = await this.ctx.tx(async (q) => {
        const last = await q<{ data: { hubId?: string } }>(
          `select data from events where type = 'telephony.owner_changed' order by id desc limit 1`,
        );
        await appendEvents(q, [
          {
            type: 'telephony.owner_changed',
            data: {
              hubId: this.hubId,
              previousHubId: last[0]?.data.hubId ?? null,
              resumedCalls: resumed,
              endedCalls: ended,
            },
          },
        ]);
        return last[0]?.data.hubId ?? null;
      });
      if (this.term !== term || !this.owning) return; // stepped down meanwhile
      // What Kamailio sent while no hub acted on it (the old owner died, or was cut off) and
      // while this hub resumed: replayed in order on the calls just rebuilt. The old owner may
      // have handled some of it already: handling is idempotent (see onKamailio's `replayed`).
      // An entering call is awaited before the next message: its CANCEL may follow at once.
      let replayed = 0;
      for (;;) {
        const batch = this.buffer.since(this.handledSeq, 0);
        if (batch.length === 0 || this.term !== term) break;
        for (const b of batch) {
          if (this.term !== term) break;
          this.handledSeq = b.seq;
          replayed++;
          await this.onKamailio(b.message, true);
        }
      }
      this.ctx.log.info(
        { hubId: this.hubId, previous, resumed, ended, replayed },
        'telephony: evapi owner, calls taken over',
      );
    } finally {
      if (this.term === term) this.takingOver = false;
    }
    void this.routeNow().catch(() => {});
  }

  /**
   * After this owner's evapi socket came back from a blip (same Kamailio): asks the standbys for
   * Kamailio's messages from 1 s before the loss to 1 s after the reconnection (clocks differ a
   * little), replays those this hub lacks in time order as replayed messages (idempotent: see
   * onKamailio), then the messages received meanwhile — live handling waits until then, so a
   * call that entered in the blip is known before its CANCEL arriving after it.
   */
  private recoverGap(lostAt: number, backAt: number): void {
    const gap = this.gap!;
    const term = this.term;
    this.recovering++;
    const run = async () => {
      const started = Date.now();
      try {
        if (this.term !== term) return;
        const from = lostAt - 1000;
        const to = backAt + 1000;
        await this.gapListening;
        // Bounded: live handling waits meanwhile (a hanging database must not stall it for long).
        let timer: NodeJS.Timeout | undefined;
        const r = await Promise.race([
          gap.request(from, to, () => this.buffer.between(from, Number.MAX_SAFE_INTEGER)),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
          }),
        ]).finally(() => clearTimeout(timer));
        const kinds: Record<string, number> = {};
        for (const m of r.messages) {
          if (this.term !== term || !this.owning) break;
          const kind = (m.message as { event?: unknown }).event;
          kinds[String(kind)] = (kinds[String(kind)] ?? 0) + 1;
          this.gapRecovered++;
          await this.onKamailio(m.message, true);
        }
        this.ctx.log.info(
          {
            requestId: r.requestId,
            downMs: backAt - lostAt,
            replies: r.replies,
            rows: r.rows,
            recovered: r.messages.length,
            kinds,
            ms: Date.now() - started,
          },
          'telephony: evapi blip, messages from the standbys replayed',
        );
      } catch (err) {
        this.ctx.log.error({ err }, 'telephony: evapi blip, recovery from the standbys failed');
      } finally {
        // What arrived meanwhile, in order; live handling resumes once nothing is left (no await
        // between the last empty check and the decrement). A later recovery drains it instead,
        // and so does a takeover running now (this hub stepped down and took over again).
        const draining = () => this.owning && !this.takingOver && this.recovering === 1;
        for (;;) {
          if (!draining()) break;
          const batch = this.buffer.since(this.handledSeq, 0);
          if (batch.length === 0) break;
          for (const b of batch) {
            if (!draining()) break;
            this.handledSeq = b.seq;
            await this.onKamailio(b.message, this.term !== term);
          }
        }
        this.recovering--;
      }
    };
    this.gapChain = this.gapChain.then(run);
  }

  /** Ownership terms of this hub: a step-down during a takeover ends that takeover. */
  private term = 0;

  /**
   * Lost the lock (database connection gone) or stopping: stop sending at once — another hub may
   * own the calls now — and forget them without touching their rows, which are the next owner's
   * to resume. The evapi socket stays: this hub buffers like any standby.
   */
  private async stepDown(reason: string): Promise<void> {
    this.owning = false;
    this.takingOver = false;
    this.term++;
    this.evapi?.dropHeld();
    for (const call of this.live.values()) call.state = 'ended';
    this.live.clear();
    this.byTask.clear();
    this.ctx.log.warn(
      { hubId: this.hubId, reason },
      'telephony: no longer acting on evapi, calls handed over',
    );
  }

  /** Used by resumeCalls(): a call taken over from the database. */
  adopt(call: Omit<LiveCall, 'chain' | 'pending' | 'endOnFailure'>): LiveCall {
    const full: LiveCall = { ...call, chain: Promise.resolve(), pending: null, endOnFailure: null };
    this.live.set(full.callId, full);
    this.byTask.set(full.taskId, full);
    return full;
  }

  /** Used by resumeCalls(): a call that cannot be resumed ends like a call lost with the proxy. */
  async endLost(call: LiveCall): Promise<void> {
    if (call.state === 'connected') {
      await this.hungUp(call, 'agent');
      return;
    }
    await this.abandoned(call, 'proxy_lost');
  }

  /**
   * Used by resumeCalls(): asks Kamailio again to ring the agent of a pending offer. If the old
   * owner's ring is still on, the transaction is not suspended and Kamailio ignores this; if the
   * ring ended unreported or was never sent, the agent rings for the offer's time left.
   */
  async reRing(call: LiveCall, expiresAt: Date): Promise<void> {
    const user = call.agentId ? await this.sipUser(call.agentId) : null;
    call.agentUser = user;
    const left = expiresAt.getTime() - this.ctx.clock.now().getTime() - this.config.ringMarginMs;
    if (!user || left < 2000) return; // the offer timer ends it (ringUnreported)
    call.ringId ??= call.offerId ?? randomUUID();
    const ringId = call.ringId;
    const cmd: HubCommand = {
      tindex: call.tindex,
      tlabel: call.tlabel,
      action: 'route',
      agent: user,
      ring: left,
      ringId,
    };
    const offerId = call.offerId;
    const sentAt = Date.now();
    this.command(cmd, () =>
      !call.proxyLost &&
      call.state === 'ringing' &&
      call.offerId === offerId &&
      call.ringId === ringId &&
      left - (Date.now() - sentAt) >= 2000
        ? { ...cmd, ring: left - (Date.now() - sentAt) }
        : null,
    );
  }

  get hubContext(): HubContext {
    return this.ctx;
  }

  private track(p: Promise<unknown>): void {
    this.tasks.add(p);
    void p.finally(() => this.tasks.delete(p));
  }

  /**
   * Every message is buffered (a standby's replay after a takeover); the owner handles it at
   * once, except while taking over (it is replayed when the calls are rebuilt).
   */
  private onEvapi(raw: unknown, bytes: number): void {
    const b = this.buffer.push(raw, bytes);
    if (!this.owning || this.takingOver || this.recovering > 0) return;
    this.handledSeq = b.seq;
    this.onKamailio(raw, false);
  }

  /** `replayed`: buffered while no hub may have acted on it — the old owner may have. */
  private onKamailio(raw: unknown, replayed: boolean): Promise<void> | undefined {
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
      // A lone call is routed inside its own transaction: one commit before the agent rings. In
      // a burst the others are routed after their commits instead, where one routing step takes
      // every task committed so far (a step per call would repeat the agent scan for each, and
      // concurrent steps on PostgreSQL skip each other's locked agents).
      const alone = ++this.entering === 1;
      const entered = this.enter(m, alone, replayed)
        .finally(() => this.entering--)
        .catch((err: unknown) => {
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
        });
      this.track(entered);
      return entered;
    }
    const call = this.live.get(m.callid);
    if (!call) {
      // Replayed: the old owner may have ended the call and its transaction already.
      if (m.event === 'failed' && !replayed) {
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
          // Replayed: only the ring this hub resumed; an older ring's failure was handled.
          if (replayed && m.agent !== call.agentUser) return;
          call.tindex = m.tindex;
          call.tlabel = m.tlabel;
          return this.ringFailed(call, m.agent, m.code, m.ringId);
        case 'answered':
          // A replayed answer of an earlier ring: that ring was handled (it cannot be this one).
          if (replayed && this.otherRing(call, m.ringId)) return;
          return this.answered(call, m.agent);
        case 'cancel':
          return this.abandoned(call);
        case 'bye':
          return this.hungUp(call, m.ftag === call.callerTag ? 'caller' : 'agent');
        case 'refer':
          if (replayed && (await this.alreadyTransferred(call))) return;
          return this.referred(call, m.referTo);
      }
    });
  }

  /** An outcome of a ring that is not the call's current one (known only with ring ids). */
  private otherRing(call: LiveCall, ringId: string | undefined): boolean {
    return ringId !== undefined && call.ringId !== null && ringId !== call.ringId;
  }

  private serial(call: LiveCall, fn: () => Promise<void>): void {
    const next = call.chain.then(fn).catch((err: unknown) => {
      this.ctx.log.error({ err, callId: call.callId }, 'telephony: call handling failed');
    });
    call.chain = next;
    this.track(next);
  }

  /** A replayed REFER the old owner already handled (the row says so). */
  private async alreadyTransferred(call: LiveCall): Promise<boolean> {
    const rows = await this.ctx.db.query<{ outcome: string | null }>(
      'select outcome from calls where id = $1',
      [call.id],
    );
    return rows[0]?.outcome === 'transferred';
  }

  /**
   * Every evapi (re)connection, after Kamailio's hello: after a restart (new instance id, or no
   * hello on a reconnection) the suspended transactions are gone — calls not yet connected are
   * lost (see abandoned) and the buffer refers to nothing. After a blip (same instance) they all
   * still exist: waiting and ringing calls go on, held commands go out — except calls whose row
   * says they entered on another instance (see call-resume.ts).
   */
  private proxyConnected(info: ConnectInfo): void {
    if (info.restarted) this.buffer.clear();
    if (!this.owning) return;
    // A blip of the owner's own socket: what Kamailio sent meanwhile reached only the standbys.
    if (!info.first && !info.restarted && info.lostAt !== null && this.gap && !this.takingOver)
      this.recoverGap(info.lostAt, Date.now());
    for (const call of [...this.live.values()]) {
      if (call.state !== 'waiting' && call.state !== 'ringing') continue;
      if (call.proxyLost) continue; // already being ended
      // Also on a first connection or a blip: a call taken over from its row that entered on
      // another Kamailio instance (it restarted before this hub heard its hello) is gone too.
      const otherInstance =
        info.instance !== null &&
        call.proxyInstance !== null &&
        call.proxyInstance !== info.instance;
      if (info.restarted || otherInstance) {
        call.proxyLost = true;
        this.serial(call, () => this.abandoned(call, 'proxy_lost'));
      }
    }
  }

  /**
   * To Kamailio, or held until the connection is back (bounded; see EvapiClient). `current` says
   * at flush time what the command should be then, null = no longer. A hub that is not the owner
   * sends nothing: the calls are another hub's.
   */
  private command(cmd: HubCommand, current?: () => HubCommand | null): void {
    if (cmd.tindex < 0) return; // taken over without transaction ids: nothing to resume
    if (!this.owning) return;
    this.evapi?.send(cmd, current);
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

  /** Calls being entered right now (see onKamailio: routing inside or after the transaction). */
  private entering = 0;

  private async enter(
    m: Extract<KamailioMessage, { event: 'enter' }>,
    routeInside: boolean,
    replayed = false,
  ): Promise<void> {
    // A retransmission cannot suspend twice; a replay of a call entering right now is the same.
    if (this.live.has(m.callid) || this.enteringIds.has(m.callid)) return;
    this.enteringIds.add(m.callid);
    try {
      await this.enterNew(m, routeInside, replayed);
    } finally {
      this.enteringIds.delete(m.callid);
    }
  }

  private async enterNew(
    m: Extract<KamailioMessage, { event: 'enter' }>,
    routeInside: boolean,
    replayed: boolean,
  ): Promise<void> {
    // Replayed after a takeover: a call the old owner entered (and maybe ended) has its row.
    if (
      replayed &&
      (await this.ctx.db.query('select 1 from calls where call_id = $1 limit 1', [m.callid]))
        .length > 0
    )
      return;
    const now = this.ctx.clock.now();
    // Which Kamailio holds the transaction: a new owner ends the call if that one is gone.
    // (Replayed or not, a buffered message is from the current instance: a restart clears it.)
    const instance = this.proxyInstance;
    const from = m.from || 'anonymous';
    const r = await this.ctx.tx(async (q) => {
      // The queue and the caller in one round trip. A known number needs no customer row lock
      // (matchOrCreateCustomer locks it to attach identities, which a phone call never adds):
      // repeat callers stay off each other's path. The same read gives the transaction's now()
      // and the new ticket's number, so the ticket, the task and the calls row are known before
      // they are written and ride with the routing step's statement (writeLater).
      const [queueRows, callerRows] = await readTogether(q, [
        { text: `select * from queues where name = $1`, values: [m.queue] },
        callerLookup(from),
      ]);
      const queue = queueRows![0] as QueueRow | undefined;
      if (!queue || !queue.channels.includes('voice'))
        return { reply: SIP_REASON.noQueue } as const;
      const caller = callerRows![0] as CallerRow;
      const events: NewEvent[] = [];
      const fromName = m.fromName && m.fromName !== from ? m.fromName : undefined;
      const customer = caller.customer_id
        ? { customerId: caller.customer_id, events: [] as NewEvent[] }
        : await matchOrCreateCustomer(
            q,
            { phone: from, ...(fromName ? { name: fromName } : {}) },
            [],
          );
      events.push(...customer.events);
      const ticket = newTicketRow({
        id: randomUUID(),
        number: caller.ticket_number,
        subject: `Call from ${from}`,
        channel: 'voice',
        queue_id: queue.id,
        customer_id: customer.customerId,
        customer_name: caller.customer_id ? caller.customer_name : (fromName ?? null),
        version: 0,
        txNow: caller.tx_now,
      });
      await writeLater(
        q,
        `insert into tickets (id, number, subject, channel, queue_id, customer_id, version)
         values ($1, $2, $3, 'voice', $4, $5, 0)`,
        [ticket.id, ticket.number, ticket.subject, queue.id, customer.customerId],
      );
      const ids = { ticketId: ticket.id, queueId: queue.id };
      events.push({ type: 'ticket.created', ...ids, data: { ticket: ticketSummary(ticket) } });

      const base = {
        callId: m.callid,
        from,
        customerId: customer.customerId,
      };
      // The calls row's id is made here: its insert needs no answer (writeLater).
      const record = async (
        state: CallState,
        taskId: string | null,
        outcome: string | null,
        callbackTaskId: string | null = null,
      ): Promise<string> => {
        const id = randomUUID();
        await writeLater(
          q,
          `insert into calls (id, call_id, queue_name, from_number, state, task_id, ticket_id,
             customer_id, entered_at, ended_at, outcome, callback_task_id, tindex, tlabel, caller_tag,
             kamailio_instance)
           values ($15, $1, $2, $3, $4, $5, $6, $7, $8, case when $4 = 'ended' then $8::timestamptz end,
             $9, $10, $11, $12, $13, $14)`,
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
            m.tindex,
            m.tlabel,
            m.ftag,
            instance,
            id,
          ],
        );
        return id;
      };

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
      // The task's id is made here: its insert needs no answer (writeLater).
      const task = { id: randomUUID() };
      await writeLater(
        q,
        `insert into tasks (id, ticket_id, queue_id, channel, status, priority, created_at,
           sla_deadline, language, skills)
         values ($8, $1, $2, 'voice', 'queued', $3, $4, $5, $6, $7::jsonb)`,
        [
          ticket.id,
          queue.id,
          Number(queue.priority),
          now,
          sla,
          queue.language ?? null,
          JSON.stringify(queue.required_skills ?? {}),
          task.id,
        ],
      );
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
      // Routed in the same transaction when alone (one commit on a waiting caller's path instead
      // of two); the agent is rung right after the commit. Only SKIP LOCKED locks are taken here.
      const routed = routeInside ? await routeBatch(q, now) : null;
      if (routed) events.push(...routed.events);
      await appendEvents(q, events);
      return { reply: null, id, taskId: task.id, queueId: queue.id, routed } as const;
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
      agentUser: null,
      ringId: null,
      proxyInstance: instance,
      resumed: false,
    };
    if (!this.owning) return; // stepped down meanwhile: the new owner resumes it from its row
    this.live.set(call.callId, call);
    this.byTask.set(call.taskId, call);
    if (r.routed) this.ringOffered(r.routed);
    else await this.routeNow();
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

  private async ringFailed(
    call: LiveCall,
    agentUser: string,
    code: number,
    ringId?: string,
  ): Promise<void> {
    // A report about an earlier ring (the hub already moved on after its offer timed out, or a
    // replayed failure of a ring the old owner handled — the same agent may be rung again).
    if (this.otherRing(call, ringId)) return;
    if (agentUser && call.agentUser && agentUser !== call.agentUser) return;
    if (call.state !== 'ringing') return;
    const now = this.ctx.clock.now();
    call.state = 'waiting';
    call.agentUser = null;
    call.ringId = null;
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
        // No-op when the hub's own offer timer got there first.
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
    await this.ringPendingOrRoute(call);
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
    // Caller's CANCEL while ringing: tm cancels the agent's branch itself. Waiting, or lost with
    // the proxy: end the suspended transaction (after a mere network blip it may still exist —
    // its ring may never have gone out; after a restart, or while a ring is on, Kamailio ignores
    // it: t_continue only resumes a suspended transaction).
    if (wasWaiting || cause === 'proxy_lost') {
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
    } else if (event.type === 'offer.timed_out' && event.data.offerId === call.offerId) {
      // Normally Kamailio reports the ring's end 1 s before this timer (ringMarginMs), and
      // ringFailed() has already cleared call.offerId. Give its report a grace period.
      const offerId = call.offerId;
      const t = setTimeout(
        () => {
          if (call.state === 'ringing' && call.offerId === offerId)
            this.serial(call, () => this.ringUnreported(call));
        },
        2 * this.config.ringMarginMs + 1000,
      );
      t.unref();
    }
  }

  /**
   * The offer's time is over and Kamailio never said how the ring ended: its report went out
   * while no hub listened (takeover), or the ring command was never delivered. A call taken over
   * mid-ring may even have been answered then: the hub cannot know, so it ends the call (480 if
   * the transaction still waits). Otherwise the transaction is still suspended: route again.
   */
  private async ringUnreported(call: LiveCall): Promise<void> {
    if (call.state !== 'ringing') return;
    this.ctx.log.warn(
      { callId: call.callId, agent: call.agentUser, resumed: call.resumed },
      'telephony: ring ended without word from Kamailio',
    );
    if (call.resumed) {
      await this.abandoned(call, 'proxy_lost');
      return;
    }
    call.state = 'waiting';
    call.agentId = null;
    call.offerId = null;
    call.agentUser = null;
    call.ringId = null;
    await this.ctx.db.query(`update calls set state = 'waiting', agent_id = null where id = $1`, [
      call.id,
    ]);
    await this.ringPendingOrRoute(call);
  }

  /** The offer the router made while this call still rang someone, else a new routing step. */
  private async ringPendingOrRoute(call: LiveCall): Promise<void> {
    const p = call.pending;
    if (!p) return this.routeNow();
    call.pending = null;
    await this.ring(call, p.agentId, p.offerId);
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
    const ringId = offerId ?? randomUUID();
    call.ringId = ringId;
    const [user, ringMs] = await Promise.all([this.sipUser(agentId), this.ringMs(call.queueId)]);
    if (!user) {
      // An agent without a SIP account cannot ring: same as unreachable.
      await this.ringFailed(call, '', 404);
      return;
    }
    call.agentUser = user;
    call.resumed = false; // this ring's outcome will be reported to this hub
    // Record without waiting: the single-connection store runs it before later updates anyway.
    // A row without Kamailio's instance (entered before its hello) gets it now: the call lives
    // there (a restart since would have ended it).
    const instance = this.proxyInstance;
    call.proxyInstance ??= instance;
    void this.ctx.db
      .query(
        `update calls set state = 'ringing', agent_id = $2, offered_to = offered_to || $2::uuid,
           kamailio_instance = coalesce(kamailio_instance, $3)
         where id = $1`,
        [call.id, agentId, instance],
      )
      .catch((err: unknown) => this.ctx.log.error({ err }, 'telephony: call row not updated'));
    const cmd: HubCommand = {
      tindex: call.tindex,
      tlabel: call.tlabel,
      action: 'route',
      agent: user,
      ring: ringMs,
      ringId,
    };
    const sentAt = Date.now();
    // Held while evapi is down: still this ring? then with the time left, so Kamailio gives up
    // before the hub's offer timer as usual; too little left → not sent, the timer decides.
    this.command(cmd, () => {
      if (
        call.proxyLost ||
        call.state !== 'ringing' ||
        call.ringId !== ringId ||
        call.offerId !== offerId ||
        call.agentId !== agentId
      )
        return null;
      const left = ringMs - (Date.now() - sentAt);
      return left >= 2000 ? { ...cmd, ring: left } : null;
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
