import { describe, expect, it } from 'vitest';
import { answerDirection, directionIn, loopbackOnly, offerDirection } from './directions.js';

describe('hold directions', () => {
  it('offers sendonly on hold and sendrecv on resume', () => {
    expect(offerDirection('sendrecv', true)).toBe('sendonly');
    expect(offerDirection('sendonly', false)).toBe('sendrecv');
    expect(offerDirection('recvonly', true)).toBe('inactive');
  });
  it('answers a held offer (sendonly) with recvonly, and inactive when we hold too', () => {
    expect(answerDirection('sendonly', false)).toBe('recvonly');
    expect(answerDirection('sendonly', true)).toBe('inactive');
    expect(answerDirection('sendrecv', false)).toBe('sendrecv');
    expect(answerDirection('inactive', false)).toBe('inactive');
  });
  it('reads the direction of an SDP and keeps only loopback candidates', () => {
    expect(directionIn('v=0\r\na=sendonly\r\n')).toBe('sendonly');
    expect(directionIn('v=0\r\n')).toBe('sendrecv');
    const sdp =
      'a=candidate:1 1 udp 1 127.0.0.1 5000 typ host\r\na=candidate:2 1 udp 1 10.0.0.2 5000 typ host\r\nx';
    expect(loopbackOnly(sdp)).toBe('a=candidate:1 1 udp 1 127.0.0.1 5000 typ host\r\nx');
  });
});
