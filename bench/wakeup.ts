import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { treeCpuMs } from './cpu.js';

/**
 * What one hand-off between two processes costs this machine: a 1-byte TCP round trip on
 * loopback between this process and an echo child, back to back and paced (both sides asleep
 * in between, as in a lightly loaded hub). Every statement the hub sends PostgreSQL and every
 * request and stream frame between a console and the hub is such a hand-off, so this is the
 * floor under the routing benchmark's CPU per task.
 */
export interface WakeupResult {
  /** CPU (both processes, user + system) per round trip, in µs. */
  backToBackCpuUs: number;
  backToBackLatencyUs: number;
  /** The same with a pause between round trips (includes this side's timer wake-up). */
  paced2msCpuUs: number;
  paced10msCpuUs: number;
}

if (process.argv[2] === '--echo-child') {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (d) => socket.write(d));
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send!(typeof address === 'object' && address ? address.port : 0);
  });
}

export async function wakeupBench(): Promise<WakeupResult> {
  const child = fork(fileURLToPath(import.meta.url), ['--echo-child'], {
    execArgv: process.execArgv,
  });
  try {
    const [port] = (await once(child, 'message')) as [number];
    const socket = createConnection(port, '127.0.0.1');
    socket.setNoDelay(true);
    await once(socket, 'connect');
    const roundTrip = () =>
      new Promise<void>((resolve) => {
        socket.once('data', () => resolve());
        socket.write('x');
      });
    const cpu = () =>
      treeCpuMs(child.pid!) + (process.cpuUsage().user + process.cpuUsage().system) / 1000;
    const measure = async (n: number, gapMs: number) => {
      for (let i = 0; i < 50; i++) await roundTrip(); // warm-up
      const c0 = cpu();
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        await roundTrip();
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
      return {
        cpuUs: Math.round(((cpu() - c0) / n) * 1000),
        latencyUs: Math.round(((performance.now() - t0) / n) * 1000),
      };
    };
    const b2b = await measure(5000, 0);
    const p2 = await measure(500, 2);
    const p10 = await measure(300, 10);
    socket.destroy();
    return {
      backToBackCpuUs: b2b.cpuUs,
      backToBackLatencyUs: b2b.latencyUs,
      paced2msCpuUs: p2.cpuUs,
      paced10msCpuUs: p10.cpuUs,
    };
  } finally {
    child.kill();
  }
}
