import { randomUUID } from 'node:crypto';
import { type MediaRequest, type MediaResult } from '../../shared/bridge/phone.js';
import { BridgeError } from '../../shared/bridge/errors.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type MediaOp = DistributiveOmit<MediaRequest, 'requestId' | 'clientId'>;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Request/response to the renderer that owns the call media: main emits `phone.media` with a
 * request id; the renderer answers with the `phone.mediaResult` call. A renderer that does not
 * answer in time (closed, reloading) fails the step, which fails the SIP operation cleanly.
 */
export class MediaChannel {
  private readonly pending = new Map<string, Pending>();
  private owner: string | null = null;

  constructor(
    private readonly emit: (request: MediaRequest) => void,
    private readonly timeoutMs = 15_000,
  ) {}

  attach(clientId: string): void {
    this.owner = clientId;
  }

  get clientId(): string | null {
    return this.owner;
  }

  request(op: MediaOp): Promise<unknown> {
    const requestId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error(`the console did not answer ${op.op} in time (no window attached?)`));
      }, this.timeoutMs);
      timer.unref();
      this.pending.set(requestId, { resolve, reject, timer });
      this.emit({ ...op, requestId, clientId: this.owner } as MediaRequest);
    });
  }

  /** The renderer's answer. Answers from a renderer that is not the owner are refused. */
  settle(result: MediaResult): void {
    const p = this.pending.get(result.requestId);
    if (!p) return; // late answer after a timeout: nothing waits for it any more
    if (this.owner !== null && result.clientId !== this.owner) {
      throw new BridgeError('forbidden', 'this window does not own the call media');
    }
    this.pending.delete(result.requestId);
    clearTimeout(p.timer);
    if (result.ok) p.resolve(result.value ?? null);
    else p.reject(new Error(result.error ?? 'media step failed'));
  }

  /** Fails everything pending (phone stopped). */
  clear(reason: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(reason));
      this.pending.delete(id);
    }
  }
}
