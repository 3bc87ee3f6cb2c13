import { describe, expect, it } from 'vitest';
import { encodeNetstring, NetstringDecoder } from './netstring.js';

describe('netstrings (evapi framing)', () => {
  it('round-trips UTF-8 payloads split and joined arbitrarily', () => {
    const payloads = ['{"event":"enter"}', '', 'zażółć', '{"a":1}'];
    const wire = Buffer.concat(payloads.map(encodeNetstring));
    for (const size of [1, 3, 7, wire.length]) {
      const decoder = new NetstringDecoder();
      const got: string[] = [];
      for (let i = 0; i < wire.length; i += size)
        got.push(...decoder.push(wire.subarray(i, i + size)));
      expect(got).toEqual(payloads);
    }
  });

  it('refuses a stream that is not netstrings', () => {
    expect(() => new NetstringDecoder().push(Buffer.from('hello world, no length'))).toThrow(
      /length/,
    );
    expect(() => new NetstringDecoder().push(Buffer.from('3:abc;'))).toThrow(/comma/);
    expect(() => new NetstringDecoder(10).push(Buffer.from('11:'))).toThrow(/too long/);
  });
});
