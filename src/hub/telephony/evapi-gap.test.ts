import { describe, expect, it } from 'vitest';
import { EvapiBuffer } from './evapi-buffer.js';
import { canonical, mergeGap } from './evapi-gap.js';

const cancel = (callid: string) => ({ event: 'cancel', callid });
const row = (hub: string, seq: number, at: number, message: unknown) => ({
  hub_id: hub,
  seq,
  at: new Date(at),
  message,
});

describe('evapi gap', () => {
  it('compares messages whatever their key order (jsonb reorders keys)', () => {
    expect(canonical({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      canonical({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
    expect(canonical({ a: 1 })).not.toBe(canonical({ a: '1' }));
  });

  it('keeps a message reported by several hubs once, in time order', () => {
    const merged = mergeGap(
      [
        row('b', 7, 1000, { event: 'enter', callid: 'x', tindex: 1 }),
        row('b', 8, 1100, cancel('x')),
        row('c', 3, 1001, { tindex: 1, callid: 'x', event: 'enter' }),
        row('c', 4, 1101, cancel('x')),
        row('c', 5, 1200, cancel('y')),
      ],
      [],
    );
    expect(merged.map((m) => m.message)).toEqual([
      { event: 'enter', callid: 'x', tindex: 1 },
      cancel('x'),
      cancel('y'),
    ]);
  });

  it('keeps the same text sent twice, and leaves out what the owner received itself', () => {
    const bye = { event: 'bye', callid: 'z', ftag: 't' };
    const merged = mergeGap(
      [
        row('b', 1, 1000, cancel('a')),
        row('b', 2, 1100, bye),
        row('b', 3, 1200, bye),
        row('c', 1, 1100, bye),
      ],
      [{ message: { callid: 'a', event: 'cancel' } }],
    );
    expect(merged).toEqual([
      { at: 1100, message: bye },
      { at: 1200, message: bye },
    ]);
  });

  it("a standby's buffer gives the window asked for", () => {
    const b = new EvapiBuffer();
    for (let n = 1; n <= 5; n++) b.push({ n }, 1, 1000 + n * 100);
    expect(b.between(1200, 1400, 2000).map((x) => x.message)).toEqual([
      { n: 2 },
      { n: 3 },
      { n: 4 },
    ]);
  });
});
