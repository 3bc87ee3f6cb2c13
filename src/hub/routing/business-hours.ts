import { type BusinessHours } from '../../shared/domain/index.js';

type Day = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';

/** Whether `at` falls inside the opening hours (in the hours' own time zone). Null = always open. */
export function isOpen(hours: BusinessHours | null | undefined, at: Date): boolean {
  if (!hours) return true;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: hours.timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(at);
  } catch {
    return true; // An unknown zone must not hide work: treat as open.
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3) as Day;
  const hhmm = `${get('hour')}:${get('minute')}`;
  return (hours.weekly[day] ?? []).some(([from, to]) => hhmm >= from && hhmm < to);
}
