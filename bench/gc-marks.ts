/**
 * Profiling aid, loaded into a child process (the hub) with
 * `CHILD_NODE_ARGS="--import tsx --import ./bench/gc-marks.ts"`: writes a line to stderr for each
 * garbage collection (`GC <epoch ms> <kind> <ms>`) and each event-loop stall over 10 ms
 * (`STALL <epoch ms> <ms>`), in epoch ms so they line up with `BENCH_LATENCY_DUMP`'s `sentAt`.
 * With `E2E_LOG_DIR` the lines end up in the hub's log file.
 */
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
const epoch = (t: number): string => (performance.timeOrigin + t).toFixed(1);

new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as { detail?: { kind?: number } }).detail?.kind ?? 0;
    process.stderr.write(
      `GC ${epoch(e.startTime)} ${KINDS[kind] ?? kind} ${e.duration.toFixed(2)}\n`,
    );
  }
}).observe({ entryTypes: ['gc'] });

const TICK_MS = 5;
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  const late = now - last - TICK_MS;
  if (late > 10) process.stderr.write(`STALL ${epoch(now)} ${late.toFixed(1)}\n`);
  last = now;
}, TICK_MS).unref();
