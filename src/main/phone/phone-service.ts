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
import { type Logger } from '../logger.js';
import { type SecretStore } from '../session/secret-store.js';
import { HubTelephony } from './hub-telephony.js';
import { MediaChannel } from './media-channel.js';
import { proxySdhFactory } from './proxy-sdh.js';
import { Softphone } from './softphone.js';

/** SecretStore key of the SIP account (with its HA1): reused when the hub is unreachable at start. */
export const SIP_ACCOUNT_KEY = 'sip-account';
const HISTORY_MAX = 100;

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
}

const DISABLED: PhoneState = { registration: 'disabled', aor: null, lastError: null, calls: [] };

/**
 * The softphone of the signed-in agent: fetches the SIP account from the hub after sign-in
 * (HA1 only, kept in the SecretStore, never sent to the renderer), runs the Softphone, forwards
 * media steps to the renderer that attached, keeps the call history of this run.
 */
export class PhoneService {
  private phone: Softphone | null = null;
  private state: PhoneState = DISABLED;
  private readonly media: MediaChannel;
  private readonly history: CallHistoryEntry[] = [];
  private hub: HubTelephony | null = null;
  private generation = 0;
  private ringing: string | null = null;

  constructor(private readonly deps: PhoneServiceDeps) {
    this.media = new MediaChannel(deps.emitMedia, deps.mediaTimeoutMs);
  }

  /** Session began: start the phone in the background (the hub may be slow or down). */
  start(session: { hubUrl: string; token: string }): void {
    const generation = ++this.generation;
    this.hub = new HubTelephony(session.hubUrl, session.token, this.deps.fetch ?? fetch);
    void this.run(generation).catch((error: unknown) => {
      this.deps.logger.warn('the softphone could not start', {
        reason: error instanceof Error ? error.message : String(error),
      });
      if (generation === this.generation) this.set({ ...DISABLED, lastError: String(error) });
    });
  }

  private async run(generation: number): Promise<void> {
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
      onEnded: (call) => this.remember(call),
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

  private remember(call: PhoneCall): void {
    const end = call.endedAt ? Date.parse(call.endedAt) : Date.now();
    const start = call.answeredAt ? Date.parse(call.answeredAt) : end;
    this.history.unshift({ ...call, durationMs: Math.max(0, end - start) });
    this.history.length = Math.min(this.history.length, HISTORY_MAX);
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
    'phone.history': async () => this.history,
    'phone.lookup': async ({ phone }) => {
      if (!this.hub) throw new BridgeError('not_signed_in', 'sign in first');
      return this.hub.lookup(phone);
    },
  };
}
