import {
  Invitation,
  Inviter,
  type Notification as SipNotification,
  Registerer,
  RegistererState,
  type Session,
  type SessionDescriptionHandlerFactory,
  SessionState,
  UserAgent,
  type URI,
} from 'sip.js';
import { BridgeError } from '../../shared/bridge/errors.js';
import {
  type PhoneCall,
  type PhoneState,
  type RegistrationState,
} from '../../shared/bridge/phone.js';
import { type Logger } from '../logger.js';
import { backoffDelay, type BackoffOptions } from '../util/backoff.js';
import { installWebSocket } from './ws-polyfill.js';

export interface SoftphoneAccount {
  username: string;
  domain: string;
  wsUrl: string;
  displayName: string;
  /** Digest credential: HA1 (preferred) or a password. */
  ha1?: string;
  password?: string;
}

export interface SoftphoneOptions {
  account: SoftphoneAccount;
  sdhFactory: SessionDescriptionHandlerFactory;
  logger: Logger;
  onChange(state: PhoneState): void;
  onEnded?(call: PhoneCall): void;
  /** REGISTER expiry in seconds; sip.js refreshes before it runs out. */
  expires?: number;
  /** CRLF keep-alive on the WebSocket, seconds (0 = off). */
  keepAliveSeconds?: number;
  reconnect?: BackoffOptions;
  /** Reject a queue/direct call with 486 while another call is live (consults excepted). */
  oneCallAtATime?: boolean;
}

interface Live {
  session: Session;
  call: PhoneCall;
  /** Re-INVITEs of this call, one at a time (RFC 5407 race, pitfall #10). */
  chain: Promise<void>;
}

const now = () => new Date().toISOString();

/** sip.js internals used for a REFER whose Refer-To we write ourselves (attended transfer). */
interface ReferInternals {
  referExtraHeaders(referTo: string): string[];
  _refer(
    onNotify: (n: SipNotification) => void,
    delegate: object,
    options: { extraHeaders: string[] },
  ): Promise<unknown>;
}

/**
 * One agent's SIP user agent (sip.js over WebSocket, signalling only): registration with refresh,
 * reconnect with backoff and re-registration after transport errors — never after a deliberate
 * stop (pitfall #12) —, CRLF keep-alives, and the call operations of the console.
 */
export class Softphone {
  private readonly ua: UserAgent;
  private readonly registerer: Registerer;
  private readonly calls = new Map<string, Live>();
  private registration: RegistrationState = 'connecting';
  private lastError: string | null = null;
  private stopped = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private recovering = false;
  private readonly registeredWaiters = new Set<() => void>();

  constructor(private readonly opts: SoftphoneOptions) {
    installWebSocket();
    const a = opts.account;
    const uri = UserAgent.makeURI(`sip:${a.username}@${a.domain}`);
    if (!uri)
      throw new BridgeError('invalid_request', `invalid SIP user ${a.username}@${a.domain}`);
    this.ua = new UserAgent({
      uri,
      displayName: a.displayName,
      authorizationUsername: a.username,
      ...(a.ha1 ? { authorizationHa1: a.ha1 } : { authorizationPassword: a.password ?? '' }),
      transportOptions: {
        server: a.wsUrl,
        // CONCIERGE_SIP_TRACE=1 logs every SIP message (support; never on by default).
        traceSip: process.env.CONCIERGE_SIP_TRACE === '1',
        keepAliveInterval: opts.keepAliveSeconds ?? 25,
        connectionTimeout: 5,
      },
      sessionDescriptionHandlerFactory: opts.sdhFactory,
      logLevel: process.env.CONCIERGE_SIP_TRACE === '1' ? 'debug' : 'error',
      logBuiltinEnabled: process.env.CONCIERGE_SIP_TRACE === '1',
      logConnector: (level, category, _label, content) => {
        // sip.js warns with multi-line RFC text (pitfall #20): one line, first 300 chars.
        const line = content.split('\n', 1)[0]!.slice(0, 300);
        if (level === 'error') opts.logger.warn(`sip.js ${category}: ${line}`);
      },
      userAgentString: 'Concierge softphone (sip.js)',
      delegate: {
        onInvite: (invitation) => this.incoming(invitation),
        onDisconnect: (error) => this.disconnected(error),
      },
    });
    this.registerer = new Registerer(this.ua, { expires: opts.expires ?? 300 });
    this.registerer.stateChange.addListener((s) => {
      if (s === RegistererState.Registered) {
        this.attempt = 0;
        this.lastError = null;
        this.setRegistration('registered');
      } else if (s === RegistererState.Unregistered && !this.stopped) {
        this.setRegistration(this.ua.isConnected() ? 'failed' : 'connecting');
      }
    });
  }

  get aor(): string {
    return `sip:${this.opts.account.username}@${this.opts.account.domain}`;
  }

  state(): PhoneState {
    return {
      registration: this.registration,
      aor: this.aor,
      lastError: this.lastError,
      calls: [...this.calls.values()].map((l) => l.call),
    };
  }

  /** Connects and registers; retries in the background when the first attempt fails. */
  async start(): Promise<void> {
    this.setRegistration('connecting');
    try {
      await this.ua.start();
      await this.register();
    } catch (error) {
      this.fail(error);
      this.scheduleRecovery();
    }
  }

  /** Resolves when registered (or rejects after `timeoutMs`). */
  waitRegistered(timeoutMs = 10_000): Promise<void> {
    if (this.registration === 'registered') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.registeredWaiters.delete(done);
        reject(
          new Error(
            `not registered within ${timeoutMs} ms (${this.lastError ?? this.registration})`,
          ),
        );
      }, timeoutMs);
      this.registeredWaiters.add(done);
    });
  }

  /** Deliberate stop: hang up, unregister (best effort), close the transport, never reconnect. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    for (const live of [...this.calls.values()])
      await this.hangup(live.call.id).catch(() => undefined);
    if (this.registerer.state === RegistererState.Registered && this.ua.isConnected()) {
      await Promise.race([
        this.registerer.unregister().catch(() => undefined),
        new Promise((r) => setTimeout(r, 1000)),
      ]);
    }
    await this.ua.stop().catch(() => undefined);
    this.registration = 'disabled';
    this.emit();
  }

  // ---- registration and recovery -------------------------------------------------------------

  private async register(): Promise<void> {
    await this.registerer.register({
      requestDelegate: {
        // The Registerer stays "Registered" through a transport loss, so a re-REGISTER after
        // reconnecting brings no state change: its 200 OK is what says we are registered again.
        onAccept: () => {
          this.attempt = 0;
          this.lastError = null;
          this.setRegistration('registered');
        },
        onReject: (response) => {
          this.lastError = `REGISTER refused: ${response.message.statusCode} ${response.message.reasonPhrase}`;
          this.setRegistration('failed');
          this.scheduleRecovery();
        },
      },
    });
  }

  private disconnected(error?: Error): void {
    if (this.stopped || !error) return; // undefined error = we asked for it
    this.fail(error);
    this.scheduleRecovery();
  }

  private fail(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    this.setRegistration('failed');
  }

  private scheduleRecovery(): void {
    if (this.stopped || this.recovering || this.retryTimer) return;
    const delay = backoffDelay(
      this.attempt++,
      this.opts.reconnect ?? { baseMs: 250, maxMs: 10_000 },
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.recover();
    }, delay);
    this.retryTimer.unref?.();
  }

  /** Reconnects the transport if needed and always re-REGISTERs (usrloc forgets on a restart). */
  private async recover(): Promise<void> {
    if (this.stopped) return;
    this.recovering = true;
    this.setRegistration('connecting');
    try {
      if (!this.ua.isConnected()) await this.ua.reconnect();
      if (this.stopped) return;
      await this.register();
    } catch (error) {
      this.fail(error);
      this.recovering = false;
      this.scheduleRecovery();
      return;
    }
    this.recovering = false;
  }

  private setRegistration(state: RegistrationState): void {
    if (this.stopped && state !== 'disabled') return;
    this.registration = state;
    this.emit();
    if (state === 'registered') {
      for (const w of [...this.registeredWaiters]) w();
      this.registeredWaiters.clear();
    }
  }

  private emit(): void {
    this.opts.onChange(this.state());
  }

  // ---- calls -----------------------------------------------------------------------------------

  private target(text: string): URI {
    const raw = text.startsWith('sip:') ? text : `sip:${text}@${this.opts.account.domain}`;
    const uri = UserAgent.makeURI(raw);
    if (!uri) throw new BridgeError('invalid_request', `cannot dial ${text}`);
    return uri;
  }

  private live(id: string): Live {
    const l = this.calls.get(id);
    if (!l) throw new BridgeError('not_found', 'no such call');
    return l;
  }

  private track(session: Session, call: PhoneCall): Live {
    const live: Live = { session, call, chain: Promise.resolve() };
    this.calls.set(session.id, live);
    session.stateChange.addListener((s) => {
      if (s === SessionState.Established) {
        this.update(live, { state: 'established', answeredAt: live.call.answeredAt ?? now() });
      } else if (s === SessionState.Terminated) {
        this.update(live, {
          state: 'ended',
          endedAt: now(),
          endReason: live.call.endReason ?? 'hangup',
        });
        this.calls.delete(session.id);
        this.opts.onEnded?.(live.call);
        this.emit();
      }
    });
    this.emit();
    return live;
  }

  private update(live: Live, change: Partial<PhoneCall>): void {
    live.call = { ...live.call, ...change };
    if (this.calls.has(live.session.id)) this.emit();
  }

  private busy(): boolean {
    return [...this.calls.values()].some((l) => l.call.state !== 'ended');
  }

  private incoming(invitation: Invitation): void {
    const replaces = invitation.request.getHeader('Replaces');
    if (replaces) {
      this.replace(invitation, replaces);
      return;
    }
    if ((this.opts.oneCallAtATime ?? true) && this.busy()) {
      void invitation.reject({ statusCode: 486, reasonPhrase: 'Busy Here' }).catch(() => undefined);
      return;
    }
    const identity = invitation.remoteIdentity;
    const live = this.track(invitation, {
      id: invitation.id,
      direction: 'in',
      state: 'incoming',
      remote: identity.uri.user ?? identity.uri.toString(),
      remoteName: identity.displayName || null,
      queue: invitation.request.getHeader('X-Queue') ?? null,
      held: false,
      startedAt: now(),
      answeredAt: null,
      endedAt: null,
      consultFor: null,
      endReason: null,
    });
    invitation.delegate = {
      onCancel: () => this.update(live, { endReason: 'missed' }),
    };
    void invitation.progress().catch(() => undefined);
  }

  /** INVITE with Replaces (attended transfer to me): take the new call, end the replaced one. */
  private replace(invitation: Invitation, header: string): void {
    const callId = header.split(';', 1)[0]!.trim();
    const old = [...this.calls.values()].find((l) => l.session.dialog?.callId === callId);
    const identity = invitation.remoteIdentity;
    const live = this.track(invitation, {
      id: invitation.id,
      direction: 'in',
      state: 'incoming',
      remote: identity.uri.user ?? identity.uri.toString(),
      remoteName: identity.displayName || null,
      queue: old?.call.queue ?? null,
      held: false,
      startedAt: now(),
      answeredAt: null,
      endedAt: null,
      consultFor: null,
      endReason: null,
    });
    void invitation
      .accept()
      .then(() => {
        if (old) {
          this.update(old, { endReason: 'replaced' });
          return this.hangup(old.call.id);
        }
      })
      .catch((error: unknown) => {
        this.opts.logger.warn('could not take over a transferred call', { error });
        this.update(live, { endReason: 'transfer_failed' });
      });
  }

  async call(target: string, consultFor: string | null = null): Promise<PhoneCall> {
    if (this.registration !== 'registered') {
      throw new BridgeError('invalid_request', 'the phone is not registered');
    }
    const uri = this.target(target);
    const inviter = new Inviter(this.ua, uri);
    const live = this.track(inviter, {
      id: inviter.id,
      direction: 'out',
      state: 'dialing',
      remote: uri.user ?? target,
      remoteName: null,
      queue: null,
      held: false,
      startedAt: now(),
      answeredAt: null,
      endedAt: null,
      consultFor,
      endReason: null,
    });
    await inviter.invite({
      requestDelegate: {
        onReject: (response) => {
          this.update(live, { endReason: String(response.message.statusCode) });
        },
      },
    });
    return live.call;
  }

  async answer(id: string): Promise<void> {
    const { session } = this.live(id);
    if (!(session instanceof Invitation))
      throw new BridgeError('invalid_request', 'not an incoming call');
    if (session.state !== SessionState.Initial)
      throw new BridgeError('invalid_request', 'already answered');
    await session.accept();
  }

  async decline(id: string): Promise<void> {
    const live = this.live(id);
    if (!(live.session instanceof Invitation) || live.session.state !== SessionState.Initial) {
      throw new BridgeError('invalid_request', 'only a ringing incoming call can be declined');
    }
    this.update(live, { endReason: 'declined' });
    await live.session.reject({ statusCode: 603, reasonPhrase: 'Decline' });
  }

  async hangup(id: string): Promise<void> {
    const live = this.live(id);
    const s = live.session;
    if (s.state === SessionState.Established) {
      await s.bye();
    } else if (
      s instanceof Inviter &&
      (s.state === SessionState.Initial || s.state === SessionState.Establishing)
    ) {
      this.update(live, { endReason: 'canceled' });
      await s.cancel();
    } else if (s instanceof Invitation && s.state === SessionState.Initial) {
      this.update(live, { endReason: 'declined' });
      await s.reject({ statusCode: 603, reasonPhrase: 'Decline' });
    } else if (s.state !== SessionState.Terminated) {
      await s.dispose();
    }
  }

  /** Hold/resume by re-INVITE (sendonly/sendrecv); one re-INVITE at a time per call. */
  hold(id: string, hold: boolean): Promise<void> {
    const live = this.live(id);
    const run = async () => {
      if (live.session.state !== SessionState.Established) {
        throw new BridgeError('invalid_request', 'the call is not connected');
      }
      if (live.call.held === hold) return;
      live.session.sessionDescriptionHandlerOptionsReInvite = { hold } as object;
      await new Promise<void>((resolve, reject) => {
        void live.session
          .invite({
            requestDelegate: {
              onAccept: () => resolve(),
              onReject: (r) =>
                reject(new BridgeError('hub_error', `re-INVITE refused: ${r.message.statusCode}`)),
            },
          })
          .catch(reject);
      });
      // sip.js resolves before its ACK is on the wire; give it a moment before the next re-INVITE.
      await new Promise((r) => setTimeout(r, 30));
      this.update(live, { held: hold });
    };
    const next = live.chain.then(run, run);
    live.chain = next.catch(() => undefined);
    return next;
  }

  dtmf(id: string, tones: string): void {
    const { session } = this.live(id);
    const sdh = session.sessionDescriptionHandler;
    if (session.state !== SessionState.Established || !sdh) {
      throw new BridgeError('invalid_request', 'the call is not connected');
    }
    sdh.sendDtmf(tones, { duration: 100, interToneGap: 70 });
  }

  /** Blind transfer: REFER to the target, hang up once the far end reports the new call. */
  async transfer(id: string, target: string): Promise<void> {
    const live = this.live(id);
    await this.refer(live, this.target(target));
  }

  /** Attended transfer, step 1: hold the caller, dial the consult target. */
  async consult(id: string, target: string): Promise<PhoneCall> {
    await this.hold(id, true);
    return this.call(target, id);
  }

  /** Attended transfer, step 2: REFER the caller to the consulted party (with Replaces). */
  async completeTransfer(id: string, consultId: string): Promise<void> {
    const live = this.live(id);
    const consult = this.live(consultId);
    if (consult.session.state !== SessionState.Established) {
      throw new BridgeError('invalid_request', 'the consult call is not connected');
    }
    // sip.js would put the consulted party's Contact (a *.invalid WebSocket address) in
    // Refer-To, which the caller's side cannot reach; refer to the party's AOR instead.
    const dialog = consult.session.dialog;
    if (!dialog) throw new BridgeError('invalid_request', 'the consult call has no dialog');
    const replaces = encodeURIComponent(
      `${dialog.callId};to-tag=${dialog.remoteTag};from-tag=${dialog.localTag}`,
    );
    const aor = consult.session.remoteIdentity.uri.clone();
    aor.clearHeaders();
    await this.refer(live, `<${aor.toString()}?Replaces=${replaces}>`);
  }

  private async refer(live: Live, to: URI | string): Promise<void> {
    if (live.session.state !== SessionState.Established) {
      throw new BridgeError('invalid_request', 'the call is not connected');
    }
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.update(live, { endReason: 'transferred' });
      if (live.session.state === SessionState.Established)
        void live.session.bye().catch(() => undefined);
    };
    await new Promise<void>((resolve, reject) => {
      const onNotify = (notification: SipNotification) => {
        void notification.accept().catch(() => undefined);
        const body = notification.request.body ?? '';
        if (/SIP\/2\.0 2\d\d/.test(body)) finish();
      };
      const requestDelegate = {
        onAccept: () => {
          resolve();
          // The far end reports the new call's progress in NOTIFYs; give up waiting after 15 s.
          setTimeout(finish, 15_000).unref?.();
        },
        onReject: (r: { message: { statusCode?: number } }) =>
          reject(new BridgeError('hub_error', `transfer refused: ${r.message.statusCode}`)),
      };
      const session = live.session as unknown as ReferInternals;
      const sent =
        typeof to === 'string'
          ? // A Refer-To of our own making, through sip.js' internal _refer (same headers).
            session._refer(onNotify, requestDelegate, {
              extraHeaders: session.referExtraHeaders(to),
            })
          : live.session.refer(to, { requestDelegate, onNotify });
      sent.catch(reject);
    });
  }
}
