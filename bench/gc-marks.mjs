/**
 * Profiling aid, loaded into a child process (the hub) with
 * `CHILD_NODE_ARGS="--import ./bench/gc-marks.mjs"` (plain JavaScript, so the built hub stays
 * without a TypeScript loader): writes a line to stderr for each garbage collection
 * (`GC <epoch ms> <kind> <ms>`) and each event-loop stall over 10 ms (`STALL <epoch ms> <ms>`),
 * in epoch ms so they line up with `BENCH_LATENCY_DUMP`'s `sentAt`. With `E2E_LOG_DIR` the lines
 * end up in the hub's log file.
 */
import process from 'node:process';
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
/** @param {number} t ms since the process's time origin */
const epoch = (t) => (performance.timeOrigin + t).toFixed(1);

new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = e.detail?.kind ?? 0;
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
