import { describe, expect, it } from 'vitest';
import { isOpen } from './business-hours.js';

describe('business hours', () => {
  const hours = {
    timezone: 'Europe/Warsaw',
    weekly: { mon: [['08:00', '16:00'] as [string, string]] },
  };
  it('is open inside the local range and closed outside it or on other days', () => {
    // Monday 2026-11-23 07:30 UTC = 08:30 in Warsaw (CET, UTC+1).
    expect(isOpen(hours, new Date('2026-11-23T07:30:00Z'))).toBe(true);
    expect(isOpen(hours, new Date('2026-11-23T06:30:00Z'))).toBe(false);
    expect(isOpen(hours, new Date('2026-11-23T15:00:00Z'))).toBe(false);
    expect(isOpen(hours, new Date('2026-11-24T07:30:00Z'))).toBe(false);
  });
  it('no hours means always open', () => {
    expect(isOpen(null, new Date())).toBe(true);
  });
});
