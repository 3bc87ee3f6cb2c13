import {
  type BodyAndContentType,
  type Session,
  type SessionDescriptionHandler,
  type SessionDescriptionHandlerFactory,
  type SessionDescriptionHandlerModifier,
  type SessionDescriptionHandlerOptions,
} from 'sip.js';
import { SessionDescription } from '../../shared/bridge/phone.js';
import { type MediaChannel } from './media-channel.js';

/** sip.js passes `{hold}` (sessionDescriptionHandlerOptionsReInvite) through these options. */
type HoldOptions = SessionDescriptionHandlerOptions & { hold?: boolean };

/** sip.js' own description type (RTCSessionDescriptionInit, which Node's lib lacks). */
type Desc = Parameters<SessionDescriptionHandlerModifier>[0];

/**
 * A SessionDescriptionHandler that owns no media (reference §6.3): every offer/answer step is
 * forwarded to the renderer that owns the RTCPeerConnection, keyed by the sip.js session id.
 * Modifiers are functions and cannot cross the bridge, so they are applied here to the SDP on
 * the wire (pitfall #17). `sendDtmf` must answer synchronously (pitfall #18): it fires the
 * request and reports true.
 */
export class ProxySessionDescriptionHandler implements SessionDescriptionHandler {
  private closed = false;

  constructor(
    private readonly sessionId: string,
    private readonly media: MediaChannel,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }

  async getDescription(
    options: HoldOptions = {},
    modifiers: SessionDescriptionHandlerModifier[] = [],
  ): Promise<BodyAndContentType> {
    if (this.closed) throw new Error('session description handler closed');
    const raw = await this.media.request({
      op: 'getDescription',
      sessionId: this.sessionId,
      hold: options.hold === true,
    });
    let desc: Desc = SessionDescription.parse(raw) as Desc;
    for (const m of modifiers) desc = await m(desc);
    return { body: (desc as { sdp?: string }).sdp ?? '', contentType: 'application/sdp' };
  }

  async setDescription(
    sdp: string,
    _options: HoldOptions = {},
    modifiers: SessionDescriptionHandlerModifier[] = [],
  ): Promise<void> {
    if (this.closed) throw new Error('session description handler closed');
    let desc: Desc = { type: 'offer', sdp } as Desc;
    for (const m of modifiers) desc = await m(desc);
    await this.media.request({
      op: 'setDescription',
      sessionId: this.sessionId,
      sdp: (desc as { sdp?: string }).sdp ?? '',
    });
  }

  async rollbackDescription(): Promise<void> {
    await this.media.request({ op: 'rollback', sessionId: this.sessionId });
  }

  sendDtmf(tones: string, options?: unknown): boolean {
    if (this.closed) return false;
    const o = (options ?? {}) as { duration?: number; interToneGap?: number };
    this.media
      .request({
        op: 'sendDtmf',
        sessionId: this.sessionId,
        tones,
        duration: o.duration ?? 100,
        gap: o.interToneGap ?? 70,
      })
      .catch(this.onError);
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.media.request({ op: 'close', sessionId: this.sessionId }).catch(() => undefined);
  }
}

export const proxySdhFactory =
  (media: MediaChannel, onError?: (error: unknown) => void): SessionDescriptionHandlerFactory =>
  (session: Session) =>
    new ProxySessionDescriptionHandler(session.id, media, onError);
