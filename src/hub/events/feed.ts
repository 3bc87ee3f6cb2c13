import { type HubEvent } from '../../shared/api/index.js';
import { type Db } from '../db/db.js';
import { type Log } from '../log.js';
import { EVENTS_CHANNEL, eventsAfter, lastEventId } from './append.js';

export type EventListener = (event: HubEvent) => void;

/** How long a published event waits for a gap below it to close before the table is read. */
const GAP_WAIT_MS = 5;
/** How long a NOTIFY for events above the cursor waits for this hub's own publish of them. */
const NOTIFY_RECHECK_MS = 2;

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
  /** Events published by this hub that are waiting for a gap below them to close. */
  private readonly held = new Map<number, HubEvent>();
  private gapTimer: NodeJS.Timeout | undefined;
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
      if (payload === '') {
        this.wake();
        return;
      }
      // The notification of this hub's own commit often arrives just before the commit's reply
      // (two connections): looked at again a moment later, it is usually delivered already.
      const id = Number(payload);
      if (id <= this.cursor) return;
      setTimeout(() => {
        if (id > this.cursor) this.wake();
      }, NOTIFY_RECHECK_MS);
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
   * Events this hub has just committed (none: nothing to do — events written without being
   * collected still reach the feed by NOTIFY and the poll). Ids are assigned under a lock held until commit, so when
   * they follow the cursor without a gap nothing below them can still appear: they are delivered
   * at once, without reading them back. A gap is usually another local transaction that committed
   * just before and publishes a moment later: the events wait briefly for it, and only when the
   * gap is still open after `GAP_WAIT_MS` (another hub's commit, say) is the table read.
   */
  publish(events: readonly HubEvent[]): void {
    if (this.stopped) return;
    for (const event of events) if (event.id > this.cursor) this.held.set(event.id, event);
    this.deliverHeld();
  }

  /** Delivers held events that now follow the cursor; a remaining gap schedules a read. */
  private deliverHeld(scheduleRead = true): void {
    if (this.draining) return; // the drain delivers them (or reads them) in order
    for (let next = this.held.get(this.cursor + 1); next; next = this.held.get(this.cursor + 1)) {
      this.held.delete(next.id);
      this.cursor = next.id;
      this.emit(next);
    }
    if (this.held.size === 0) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
      return;
    }
    if (!scheduleRead) return; // the slow poll retries
    this.gapTimer ??= setTimeout(() => {
      this.gapTimer = undefined;
      if (this.held.size > 0) this.wake();
    }, GAP_WAIT_MS);
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
    let failed = false;
    try {
      do {
        this.again = false;
        for (;;) {
          const batch = await eventsAfter(this.db.query, this.cursor, 500);
          for (const event of batch) {
            if (event.id <= this.cursor) continue; // published meanwhile
            this.cursor = event.id;
            this.held.delete(event.id);
            this.emit(event);
          }
          if (batch.length < 500) break;
        }
      } while (this.again && !this.stopped);
    } catch (err) {
      failed = true;
      if (!this.stopped) this.log.error({ err }, 'event feed read failed');
    } finally {
      this.draining = false;
    }
    for (const id of this.held.keys()) if (id <= this.cursor) this.held.delete(id);
    this.deliverHeld(!failed);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    clearTimeout(this.gapTimer);
    this.held.clear();
    await this.unlisten?.().catch(() => {});
    this.listeners.clear();
  }
}
