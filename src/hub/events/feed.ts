import { type HubEvent } from '../../shared/api/index.js';
import { type Db } from '../db/db.js';
import { type Log } from '../log.js';
import { EVENTS_CHANNEL, eventsAfter, lastEventId } from './append.js';

export type EventListener = (event: HubEvent) => void;

/**
 * One reader of the event table per hub, fanning new events out to the hub's stream clients.
 * Woken in-process after local commits, by NOTIFY from other hubs on the same PostgreSQL, and by
 * a slow poll as a safety net. It always reads `id > cursor` in id order, so wake-ups are only
 * hints: a lost or duplicated wake-up cannot lose or duplicate an event.
 */
export class EventFeed {
  private cursor = 0;
  private readonly listeners = new Set<EventListener>();
  private draining = false;
  private again = false;
  private unlisten: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly log: Log,
  ) {}

  async start(pollMs = 2000): Promise<void> {
    this.cursor = await lastEventId(this.db.query);
    // The payload is the last id of the committing transaction: this hub's own commits were
    // delivered already (publish), so a wake-up for them would read nothing.
    this.unlisten = await this.db.listen(EVENTS_CHANNEL, (payload) => {
      if (payload !== '' && Number(payload) <= this.cursor) return;
      this.wake();
    });
    this.timer = setInterval(() => this.wake(), pollMs);
    this.timer.unref();
  }

  /** The id of the last event delivered to listeners. */
  get lastDeliveredId(): number {
    return this.cursor;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Events this hub has just committed. When they follow the cursor without a gap (ids are
   * assigned under a lock held until commit, so nothing below them can still appear) they are
   * delivered at once, without reading them back; otherwise — a gap, a drain under way — this is
   * only a wake-up and the drain reads the table as usual.
   */
  publish(events: readonly HubEvent[]): void {
    if (this.stopped) return;
    if (events.length === 0 || this.draining || events[0]!.id !== this.cursor + 1) {
      this.wake();
      return;
    }
    for (const event of events) {
      if (event.id !== this.cursor + 1) {
        this.wake();
        return;
      }
      this.cursor = event.id;
      this.emit(event);
    }
  }

  private emit(event: HubEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err }, 'event listener failed');
      }
    }
  }

  wake(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      do {
        this.again = false;
        for (;;) {
          const batch = await eventsAfter(this.db.query, this.cursor, 500);
          for (const event of batch) {
            if (event.id <= this.cursor) continue; // published meanwhile
            this.cursor = event.id;
            this.emit(event);
          }
          if (batch.length < 500) break;
        }
      } while (this.again && !this.stopped);
    } catch (err) {
      if (!this.stopped) this.log.error({ err }, 'event feed read failed');
    } finally {
      this.draining = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.unlisten?.().catch(() => {});
    this.listeners.clear();
  }
}
