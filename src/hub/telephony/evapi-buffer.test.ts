import { describe, expect, it } from 'vitest';
import { EvapiBuffer } from './evapi-buffer.js';

describe('EvapiBuffer', () => {
  it('keeps messages in order and returns those after a sequence number', () => {
    const b = new EvapiBuffer();
    const first = b.push({ n: 1 }, 10, 1000);
    b.push({ n: 2 }, 10, 1001);
    b.push({ n: 3 }, 10, 1002);
    expect(b.since(first.seq, 0, 1003).map((x) => x.message)).toEqual([{ n: 2 }, { n: 3 }]);
  });

  it('drops by age, count and bytes, oldest first', () => {
    const aged = new EvapiBuffer({ maxAgeMs: 100 });
    aged.push({ n: 1 }, 1, 0);
    aged.push({ n: 2 }, 1, 150);
    expect(aged.since(0, 0, 160).map((x) => x.message)).toEqual([{ n: 2 }]);

    const counted = new EvapiBuffer({ maxCount: 2 });
    for (let n = 1; n <= 5; n++) counted.push({ n }, 1, n);
    expect(counted.since(0, 0, 6).map((x) => x.message)).toEqual([{ n: 4 }, { n: 5 }]);

    const sized = new EvapiBuffer({ maxBytes: 25 });
    for (let n = 1; n <= 5; n++) sized.push({ n }, 10, n);
    expect(sized.since(0, 0, 6).map((x) => x.message)).toEqual([{ n: 4 }, { n: 5 }]);
  });

  it('stays bounded over many messages and is emptied by clear()', () => {
    const b = new EvapiBuffer({ maxCount: 100 });
    for (let n = 1; n <= 10_000; n++) b.push({ n }, 50, n);
    expect(b.size).toBe(100);
    expect(b.since(0, 0, 10_001)[0]!.message).toEqual({ n: 9901 });
    b.clear();
    expect(b.size).toBe(0);
    expect(b.since(0, 0, 10_002)).toEqual([]);
  });
});
