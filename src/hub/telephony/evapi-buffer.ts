/** One Kamailio message as received on this hub's evapi socket. */
export interface Buffered {
  /** Increasing per hub: tells what this hub has handled itself. */
  seq: number;
  at: number;
  message: unknown;
  bytes: number;
}

export interface EvapiBufferOptions {
  /** Messages older than this are dropped (ms, default 30 s). */
  maxAgeMs?: number;
  maxCount?: number;
  maxBytes?: number;
}

/**
 * The last ~30 s of Kamailio's messages, kept by every hub (standbys too). Kamailio broadcasts each
 * event to every evapi client, so when the owner dies the events it never handled — sent between
 * its death and a standby's takeover — are still here and the new owner replays them.
 * Bounded by age, count and bytes: a standby must not grow without limit under load.
 */
export class EvapiBuffer {
  private items: Buffered[] = [];
  private head = 0;
  private bytes = 0;
  private seq = 0;

  constructor(private readonly opts: EvapiBufferOptions = {}) {}

  push(message: unknown, bytes: number, now = Date.now()): Buffered {
    const item = { seq: ++this.seq, at: now, message, bytes };
    this.items.push(item);
    this.bytes += bytes;
    this.trim(now);
    return item;
  }

  /** Messages after `afterSeq` received at or after `since`, oldest first. */
  since(afterSeq: number, since: number, now = Date.now()): Buffered[] {
    this.trim(now);
    return this.items.slice(this.head).filter((b) => b.seq > afterSeq && b.at >= since);
  }

  /** Messages received between `from` and `to` (inclusive, ms), oldest first. */
  between(from: number, to: number, now = Date.now()): Buffered[] {
    this.trim(now);
    return this.items.slice(this.head).filter((b) => b.at >= from && b.at <= to);
  }

  /** Kamailio restarted: what was buffered refers to transactions that are gone. */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  private trim(now: number): void {
    const maxAge = this.opts.maxAgeMs ?? 30_000;
    const maxCount = this.opts.maxCount ?? 20_000;
    const maxBytes = this.opts.maxBytes ?? 8 * 1024 * 1024;
    while (
      this.head < this.items.length &&
      (now - this.items[this.head]!.at > maxAge ||
        this.items.length - this.head > maxCount ||
        this.bytes > maxBytes)
    ) {
      this.bytes -= this.items[this.head]!.bytes;
      this.head++;
    }
    // Compact now and then rather than shift() per message.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
