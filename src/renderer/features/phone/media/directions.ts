/**
 * SDP direction rules of hold (RFC 3264 §6.1 with sip.js' hold semantics), the same table the
 * verified spike used (reference §6.4). Pure, so they are unit-tested without a browser.
 */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' | 'stopped';

/** Direction to put in our offer, from the transceiver's current one. */
export function offerDirection(current: Direction, hold: boolean): Direction {
  switch (current) {
    case 'inactive':
    case 'recvonly':
      return hold ? 'inactive' : 'recvonly';
    case 'sendonly':
    case 'sendrecv':
      return hold ? 'sendonly' : 'sendrecv';
    default:
      return current;
  }
}

/** Direction of our answer to a remote offer. */
export function answerDirection(offered: Direction, hold: boolean): Direction {
  switch (offered) {
    case 'inactive':
      return 'inactive';
    case 'recvonly':
      return hold ? 'inactive' : 'sendonly';
    case 'sendonly':
      return hold ? 'inactive' : 'recvonly';
    default:
      return hold ? 'sendonly' : 'sendrecv';
  }
}

export function directionIn(sdp: string | undefined): Direction {
  const m = /a=(sendrecv|sendonly|recvonly|inactive)\r?\n/.exec(sdp ?? '');
  return (m?.[1] as Direction | undefined) ?? 'sendrecv';
}

/** Test-only: keep media on loopback by dropping every non-127.0.0.1 candidate (pitfall #14). */
export function loopbackOnly(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((l) => !l.startsWith('a=candidate:') || / 127\.0\.0\.1 /.test(l))
    .join('\r\n');
}
