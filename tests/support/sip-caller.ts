import {
  Inviter,
  type Referral,
  type Session,
  type SessionDescriptionHandlerFactory,
  SessionState,
  UserAgent,
} from 'sip.js';
import { installWebSocket } from '../../src/main/phone/ws-polyfill.js';
import { cannedSdhFactory } from './canned-sdh.js';

export interface CallerCall {
  inviter: Inviter;
  /** Resolves with the final status: 200 (answered) or the failure code. */
  outcome: Promise<number>;
  /** Time from invite() to 200 OK, ms (when answered). */
  setupMs: () => number | null;
  /** The session currently carrying the call (changes after a transfer). */
  current(): Session;
  /** Resolves when the call was transferred (REFER) and the new leg is established. */
  transferred: Promise<Session>;
  hangup(): Promise<void>;
  ended: Promise<void>;
}

/**
 * A customer's phone for tests: a sip.js UA outside the agents' domain (no registration, like a
 * trunk), calling queue numbers. It follows REFERs (blind and attended transfers) the way a
 * PSTN gateway does: accept, INVITE the target (with Replaces when given), then BYE the old leg.
 */
export class SipCaller {
  readonly ua: UserAgent;

  constructor(
    private readonly wsUrl: string,
    private readonly domain: string,
    readonly number: string,
    sdhFactory: SessionDescriptionHandlerFactory = cannedSdhFactory,
  ) {
    installWebSocket();
    this.ua = new UserAgent({
      uri: UserAgent.makeURI(`sip:${number}@caller.test`)!,
      displayName: number,
      transportOptions: { server: wsUrl, traceSip: false, keepAliveInterval: 0 },
      sessionDescriptionHandlerFactory: sdhFactory,
      logLevel: 'error',
      logBuiltinEnabled: false,
    });
  }

  start(): Promise<void> {
    return this.ua.start();
  }

  async stop(): Promise<void> {
    await this.ua.stop().catch(() => undefined);
  }

  /** Calls `target`; `from` overrides the caller's number for this call (many callers, one UA). */
  call(target: string, from?: string): CallerCall {
    const inviter = new Inviter(
      this.ua,
      UserAgent.makeURI(`sip:${target}@${this.domain}`)!,
      from ? { params: { fromUri: `sip:${from}@caller.test`, fromDisplayName: from } } : {},
    );
    let current: Session = inviter;
    let t0 = 0;
    let t200: number | null = null;
    let resolveOutcome!: (code: number) => void;
    const outcome = new Promise<number>((r) => (resolveOutcome = r));
    let resolveTransferred!: (s: Session) => void;
    const transferred = new Promise<Session>((r) => (resolveTransferred = r));
    let resolveEnded!: () => void;
    const ended = new Promise<void>((r) => (resolveEnded = r));
    const watchEnd = (s: Session) =>
      s.stateChange.addListener((state) => {
        if (state === SessionState.Terminated && current === s) resolveEnded();
      });
    const followRefers = (s: Session) => {
      s.delegate = {
        onRefer: (referral: Referral) => {
          void referral.accept().then(() => {
            const next = referral.makeInviter();
            next.stateChange.addListener((state) => {
              if (state === SessionState.Established) {
                const old = current;
                current = next;
                followRefers(next);
                watchEnd(next);
                resolveTransferred(next);
                if (old.state === SessionState.Established) void old.bye().catch(() => undefined);
              }
            });
            void next.invite();
          });
        },
      };
    };
    followRefers(inviter);
    watchEnd(inviter);
    t0 = performance.now();
    void inviter
      .invite({
        requestDelegate: {
          onAccept: () => {
            t200 = performance.now() - t0;
            resolveOutcome(200);
          },
          onReject: (r) => resolveOutcome(r.message.statusCode ?? 0),
        },
      })
      .catch(() => resolveOutcome(-1));
    return {
      inviter,
      outcome,
      setupMs: () => t200,
      current: () => current,
      transferred,
      ended,
      async hangup() {
        const s = current;
        if (s.state === SessionState.Established) await s.bye();
        else if (s instanceof Inviter && s.state !== SessionState.Terminated) await s.cancel();
      },
    };
  }
}
