/**
 * Netstrings (`<length>:<bytes>,`), the framing Kamailio's evapi uses with netstring_format=1.
 * TCP may split or join frames, so the decoder keeps the unfinished tail between chunks.
 */
export function encodeNetstring(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]);
}

export class NetstringDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxLength = 1024 * 1024) {}

  /** Feeds a chunk; returns the complete payloads it finished. Throws on a malformed stream. */
  push(chunk: Buffer): string[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: string[] = [];
    for (;;) {
      const colon = this.buffer.indexOf(0x3a);
      if (colon === -1) {
        if (this.buffer.length > 10) throw new Error('netstring: no length prefix');
        return out;
      }
      const lengthText = this.buffer.subarray(0, colon).toString('latin1');
      if (!/^\d{1,9}$/.test(lengthText)) throw new Error(`netstring: bad length "${lengthText}"`);
      const length = Number(lengthText);
      if (length > this.maxLength) throw new Error(`netstring: ${length} bytes is too long`);
      const end = colon + 1 + length;
      if (this.buffer.length < end + 1) return out;
      if (this.buffer[end] !== 0x2c) throw new Error('netstring: missing trailing comma');
      out.push(this.buffer.subarray(colon + 1, end).toString('utf8'));
      this.buffer = this.buffer.subarray(end + 1);
    }
  }
}
