import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

/**
 * Loopback ports for a test to listen on a moment later (a hub, Kamailio, PostgreSQL). Port 0
 * would hand out a port from the kernel's ephemeral range — the range outgoing connections (a
 * database client, a keep-alive HTTP socket) take their local ports from — and one of those can
 * take it between the check and the listen (a CI run lost a hub's port so: EADDRINUSE). So the
 * port is drawn at random below that range, checked free, and never handed out twice by this
 * process.
 */
const handedOut = new Set<number>();

/** The first port of the kernel's ephemeral range (Linux; elsewhere the IANA default). */
function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low && Number.isInteger(low)) return low;
  } catch {
    // not Linux
  }
  return 49152;
}

const LOWEST = 10_000;

function candidate(): number {
  const high = ephemeralStart() - 1;
  // No room below the ephemeral range: let the kernel choose (port 0), as before.
  if (high - LOWEST < 1000) return 0;
  return LOWEST + Math.floor(Math.random() * (high - LOWEST));
}

function tryTcp(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const a = srv.address();
      const got = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(got || undefined));
    });
  });
}

function tryUdp(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind(port, '127.0.0.1', () => {
      const got = s.address().port;
      s.close(() => resolve(got || undefined));
    });
  });
}

async function pick(check: (port: number) => Promise<number | undefined>): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const wanted = candidate();
    if (wanted !== 0 && handedOut.has(wanted)) continue;
    const port = await check(wanted);
    if (port === undefined || handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free loopback port found in 50 attempts');
}

/** A free TCP port on 127.0.0.1, outside the ephemeral range (see above). */
export const freeTcpPort = (): Promise<number> => pick(tryTcp);

/** A free UDP port on 127.0.0.1, outside the ephemeral range (see above). */
export const freeUdpPort = (): Promise<number> => pick(tryUdp);
