import {
  type BodyAndContentType,
  type Session,
  type SessionDescriptionHandler,
  type SessionDescriptionHandlerFactory,
  type SessionDescriptionHandlerOptions,
} from 'sip.js';

/**
 * A SessionDescriptionHandler with no media at all (reference §6.5): valid PCMU +
 * telephone-event SDP, the answer's direction from RFC 3264 §6.1 combined with hold. For
 * signalling tests and benchmarks that need no RTP; the media tests use the renderer.
 */
export class CannedSdh implements SessionDescriptionHandler {
  private remoteDirection: string | null = null;
  readonly dtmf: string[] = [];
  static port = 40_000;

  constructor(private readonly port = (CannedSdh.port += 2)) {}

  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }

  async getDescription(options?: SessionDescriptionHandlerOptions): Promise<BodyAndContentType> {
    const hold = (options as { hold?: boolean } | undefined)?.hold === true;
    let dir: string;
    if (this.remoteDirection === null) dir = hold ? 'sendonly' : 'sendrecv';
    else if (this.remoteDirection === 'sendonly') dir = hold ? 'inactive' : 'recvonly';
    else if (this.remoteDirection === 'recvonly') dir = hold ? 'inactive' : 'sendonly';
    else if (this.remoteDirection === 'inactive') dir = 'inactive';
    else dir = hold ? 'sendonly' : 'sendrecv';
    this.remoteDirection = null;
    const id = Date.now();
    const body = [
      'v=0',
      `o=- ${id} ${id} IN IP4 127.0.0.1`,
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${this.port} RTP/AVP 0 101`,
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
      `a=${dir}`,
      '',
    ].join('\r\n');
    return { body, contentType: 'application/sdp' };
  }

  async setDescription(sdp: string): Promise<void> {
    this.remoteDirection = /a=(sendrecv|sendonly|recvonly|inactive)/.exec(sdp)?.[1] ?? 'sendrecv';
  }

  sendDtmf(tones: string): boolean {
    this.dtmf.push(tones);
    return true;
  }

  close(): void {}
}

export const cannedSdhFactory: SessionDescriptionHandlerFactory = (_session: Session) =>
  new CannedSdh();
