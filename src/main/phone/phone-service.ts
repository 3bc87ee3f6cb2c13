import { type SessionDescriptionHandlerFactory } from 'sip.js';
import { SipSettings } from '../../shared/api/telephony.js';
import { type BridgeHandlers } from '../../shared/bridge/server.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import {
  type CallHistoryEntry,
  type PhoneCall,
  type PhoneState,
  type MediaRequest,
} from '../../shared/bridge/phone.js';
import {
  CALL_HISTORY_KEEP,
  type CallHistoryRepository,
  type CallHistoryScope,
} from '../cache/call-history.js';
import { type Logger } from '../logger.js';
import { type SecretStore } from '../session/secret-store.js';
import { HubTelephony } from './hub-telephony.js';
import { MediaChannel } from './media-channel.js';
import { proxySdhFactory } from './proxy-sdh.js';
import { Softphone } from './softphone.js';

/** SecretStore key of the SIP account (with its HA1): reused when the hub is unreachable at start. */
export const SIP_ACCOUNT_KEY = 'sip-account';

export type PhoneHandlers = Pick<
  BridgeHandlers,
  | 'phone.get'
  | 'phone.attach'
  | 'phone.mediaResult'
  | 'phone.call'
  | 'phone.answer'
  | 'phone.decline'
  | 'phone.hangup'
  | 'phone.hold'
  | 'phone.dtmf'
  | 'phone.transfer'
  | 'phone.consult'
  | 'phone.completeTransfer'
  | 'phone.history'
  | 'phone.lookup'
>;

export interface PhoneServiceDeps {
  secrets: SecretStore;
  logger: Logger;
  emitState(state: PhoneState): void;
  emitMedia(request: MediaRequest): void;
  /** An incoming call starts ringing / stops: the shell draws attention (flash, notification). */
  onRing?(call: PhoneCall | null): void;
  fetch?: typeof fetch;
  /** Test seam: a media-less SDH instead of the renderer proxy. */
  sdhFactory?: SessionDescriptionHandlerFactory;
  mediaTimeoutMs?: number;
  /**
   * Where finished calls are kept (the cache's call history), or null while the cache is closed.
   * Without it (or while it is closed) the history is kept in memory for this run only.
   */
  callHistory?(): Pick<CallHistoryRepository, 'add' | 'list'> | null;
}

/** Whose phone runs: the hub session, and the agent the call history belongs to. */
export interface PhoneSession {
  hubUrl: string;
  token: string;
  /** The signed-in agent; without it the history of this session stays in memory. */
  agentId?: string | null;
}

const DISABLED: PhoneState = { registration: 'disabled', aor: null, lastError: null, calls: [] };

/**
 * The softphone of the signed-in agent: fetches the SIP account from the hub after sign-in
 * (HA1 only, kept in the SecretStore, never sent to the renderer), runs the Softphone, forwards
 * media steps to the renderer that attached, keeps the call history: in the cache per agent
 * and hub (newest 500), in memory when there is no cache.
 */
export class PhoneService {
  private phone: Softphone | null = null;
  private state: PhoneState = DISABLED;
  private readonly media: MediaChannel;
  /** Finished calls that could not go to the cache (none given, closed, or a failed write). */
  private readonly history: CallHistoryEntry[] = [];
  private scope: CallHistoryScope | null = null;
  /** Unreadable history rows already logged (logged once, skipped every time). */
  private readonly skippedRows = new Set<number>();
  private hub: HubTelephony | null = null;
  private generation = 0;
  private ringing: string | null = null;

  constructor(private readonly deps: PhoneServiceDeps) {
    this.media = new MediaChannel(deps.emitMedia, deps.mediaTimeoutMs);
  }

  /** Session began: start the phone in the background (the hub may be slow or down). */
  start(session: PhoneSession): void {
    const generation = ++this.generation;
    this.hub = new HubTelephony(session.hubUrl, session.token, this.deps.fetch ?? fetch);
    const scope = session.agentId ? { hubUrl: session.hubUrl, agentId: session.agentId } : null;
    this.scope = scope;
    void this.run(generation, scope).catch((error: unknown) => {
      this.deps.logger.warn('the softphone could not start', {
        reason: error instanceof Error ? error.message : String(error),
      });
      if (generation === this.generation) this.set({ ...DISABLED, lastError: String(error) });
    });
  }

  private async run(generation: number, scope: CallHistoryScope | null): Promise<void> {
    let account: SipSettings | null;
    try {
      account = await this.hub!.sipSettings();
      if (account) await this.deps.secrets.set(SIP_ACCOUNT_KEY, JSON.stringify(account));
      else await this.deps.secrets.delete(SIP_ACCOUNT_KEY);
    } catch (error) {
      if (!(error instanceof BridgeError) || error.code !== 'hub_unreachable') throw error;
      // Hub down at start: the SIP account from last time still registers with Kamailio.
      const saved = await this.deps.secrets.get(SIP_ACCOUNT_KEY);
      const parsed = saved ? SipSettings.safeParse(JSON.parse(saved)) : null;
      account = parsed?.success ? parsed.data : null;
    }
    if (generation !== this.generation) return;
    if (!account || !account.enabled) {
      this.set(DISABLED);
      return;
    }
    const phone = new Softphone({
      account,
      sdhFactory:
        this.deps.sdhFactory ??
        proxySdhFactory(this.media, (error) =>
          this.deps.logger.warn('media step failed', { reason: String(error) }),
        ),
      logger: this.deps.logger,
      onChange: (state) => {
        if (this.phone === phone) this.set(state);
      },
      // The session's scope, not the current one: calls hung up by stop() still belong to it.
      onEnded: (call) => this.remember(call, scope),
    });
    this.phone = phone;
    await phone.start();
  }

  /**
   * Session ended (sign-out) or services stopping: hang up, unregister. With `forget`, the saved
   * SIP account is deleted too — unless a new session started meanwhile and saved its own.
   */
  async stop(options: { forget?: boolean } = {}): Promise<void> {
    const generation = ++this.generation;
    const phone = this.phone;
    this.phone = null;
    this.hub = null;
    this.scope = null;
    await phone?.stop();
    this.media.clear('the phone stopped');
    if (options.forget && generation === this.generation) {
      await this.deps.secrets.delete(SIP_ACCOUNT_KEY).catch(() => undefined);
    }
    if (generation === this.generation) this.set(DISABLED);
  }

  current(): PhoneState {
    return this.state;
  }

  private set(state: PhoneState): void {
    this.state = state;
    this.deps.emitState(state);
    const ring = state.calls.find((c) => c.direction === 'in' && c.state === 'incoming') ?? null;
    if ((ring?.id ?? null) !== this.ringing) {
      this.ringing = ring?.id ?? null;
      this.deps.onRing?.(ring);
    }
  }

  private remember(call: PhoneCall, scope: CallHistoryScope | null): void {
    const end = call.endedAt ? Date.parse(call.endedAt) : Date.now();
    const start = call.answeredAt ? Date.parse(call.answeredAt) : end;
    const entry: CallHistoryEntry = { ...call, durationMs: Math.max(0, end - start) };
    const store = this.deps.callHistory?.() ?? null;
    if (store && scope) {
      try {
        store.add(scope, entry);
        return;
      } catch (error) {
        this.deps.logger.warn('could not store the call in the history; kept in memory', {
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
    this.history.unshift(entry);
    this.history.length = Math.min(this.history.length, CALL_HISTORY_KEEP);
  }

  /** Newest first: the signed-in agent's stored calls, or the in-memory list without a cache. */
  private readHistory(): CallHistoryEntry[] {
    const store = this.deps.callHistory?.() ?? null;
    if (!store || !this.scope) return this.history;
    try {
      return store.list(this.scope, (row) => {
        if (this.skippedRows.has(row.seq)) return;
        this.skippedRows.add(row.seq);
        this.deps.logger.warn('skipped an unreadable call history row', { ...row });
      });
    } catch (error) {
      this.deps.logger.warn('could not read the call history; showing this run only', {
        reason: error instanceof Error ? error.message : String(error),
      });
      return this.history;
    }
  }

  private need(): Softphone {
    if (!this.phone)
      throw new BridgeError('not_found', 'no softphone (no SIP account on this hub)');
    return this.phone;
  }

  readonly handlers: PhoneHandlers = {
    'phone.get': async () => this.state,
    'phone.attach': async ({ clientId }) => {
      this.media.attach(clientId);
      return this.state;
    },
    'phone.mediaResult': async (result) => {
      this.media.settle(result);
      return { ok: true };
    },
    'phone.call': async ({ target }) => this.need().call(target),
    'phone.answer': async ({ sessionId }) => {
      await this.need().answer(sessionId);
      return { ok: true };
    },
    'phone.decline': async ({ sessionId }) => {
      await this.need().decline(sessionId);
      return { ok: true };
    },
    'phone.hangup': async ({ sessionId }) => {
      await this.need().hangup(sessionId);
      return { ok: true };
    },
    'phone.hold': async ({ sessionId, hold }) => {
      await this.need().hold(sessionId, hold);
      return { ok: true };
    },
    'phone.dtmf': async ({ sessionId, tones }) => {
      this.need().dtmf(sessionId, tones);
      return { ok: true };
    },
    'phone.transfer': async ({ sessionId, target }) => {
      await this.need().transfer(sessionId, target);
      return { ok: true };
    },
    'phone.consult': async ({ sessionId, target }) => this.need().consult(sessionId, target),
    'phone.completeTransfer': async ({ sessionId, consultId }) => {
      await this.need().completeTransfer(sessionId, consultId);
      return { ok: true };
    },
    'phone.history': async () => this.readHistory(),
    'phone.lookup': async ({ phone }) => {
      if (!this.hub) throw new BridgeError('not_signed_in', 'sign in first');
      return this.hub.lookup(phone);
    },
  };
}
