import { BridgeError } from '../../shared/bridge/errors.js';
import { type Logger } from '../logger.js';
import { type HubClient } from './hub-client.js';

export interface PresenceDeps {
  logger: Logger;
  /** First interval, until the hub says how often it wants them. */
  intervalMs?: number;
  onUnauthorized(error: BridgeError): void;
}

/**
 * Heartbeats for the hub's presence supervision (`POST /api/v1/me/heartbeat`): the hub marks an
 * agent whose heartbeats stop `disconnected`, and back when they resume. A hub that does not offer
 * the endpoint (404) is not asked again for this session. Sent at once after every reconnect.
 */
export class Presence {
  private client: HubClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private intervalMs: number;
  private unsupported = false;
  private inFlight = false;

  constructor(private readonly deps: PresenceDeps) {
    this.intervalMs = deps.intervalMs ?? 10_000;
  }

  start(client: HubClient): void {
    if (this.client === client) return;
    this.stop();
    this.client = client;
    this.unsupported = false;
    this.beatNow();
  }

  stop(): void {
    this.client = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The stream is back online: tell the hub at once rather than at the next tick. */
  beatNow(): void {
    if (!this.client || this.unsupported) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.beat(this.client);
  }

  private schedule(client: HubClient) {
    if (this.client !== client || this.unsupported) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.beat(client), this.intervalMs);
    this.timer.unref?.();
  }

  private async beat(client: HubClient): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      const answer = await client.heartbeat({ timeoutMs: 5_000 });
      this.intervalMs = answer.intervalMs;
    } catch (error) {
      if (error instanceof BridgeError && error.code === 'not_found') {
        this.unsupported = true;
        this.deps.logger.info('the hub does not offer heartbeats; presence is not supervised');
      } else if (error instanceof BridgeError && error.code === 'unauthorized') {
        this.deps.onUnauthorized(error);
        return;
      }
      // Unreachable: the next tick tries again; the hub will have marked us disconnected.
    } finally {
      this.inFlight = false;
    }
    this.schedule(client);
  }
}
