/**
 * The hub's time source. Routing, offers and timers take "now" from here (passed to SQL as a
 * parameter) instead of the database's now(), so tests can drive time with a FakeClock.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to (tests). */
export class FakeClock implements Clock {
  private ms: number;
  constructor(start: Date | number = Date.now()) {
    this.ms = typeof start === 'number' ? start : start.getTime();
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): Date {
    this.ms += ms;
    return this.now();
  }
}

export function addMs(date: Date, ms: number): Date {
  return new Date(date.getTime() + ms);
}

/** Milliseconds from `from` to `to` (both Date or database timestamps), never negative. */
export function msBetween(from: unknown, to: unknown): number {
  const a = from instanceof Date ? from.getTime() : new Date(String(from)).getTime();
  const b = to instanceof Date ? to.getTime() : new Date(String(to)).getTime();
  return Math.max(0, b - a);
}

/** A database timestamp (Date from both drivers, or an ISO string) as a Date, milliseconds kept. */
export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}
