import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { cacheBench } from './cache.js';
import { coldStart } from './cold-start.js';
import { phoneBench } from './phone.js';
import { ROUTING_SETUPS, routingBench, type RoutingSetup } from './routing.js';
import { wakeupBench } from './wakeup.js';

/**
 * `npm run bench [-- --suite all|cold-start|routing|cache|phone|wakeup] [--runs N] [--agents 200] [--rate 100]
 * [--seconds 10] [--warm-seconds 5] [--flood 2000] [--setups pglite,pg1,pg2] [--pg-socket tcp|unix] [--calls 30] [--phone-agents 20] [--phone-db pglite|postgres]`: prints a JSON report with the machine it ran on.
 */
const { values } = parseArgs({
  options: {
    suite: { type: 'string', default: 'all' },
    runs: { type: 'string', default: '5' },
    agents: { type: 'string', default: '200' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    'warm-seconds': { type: 'string', default: '5' },
    flood: { type: 'string', default: '2000' },
    calls: { type: 'string', default: '30' },
    'phone-agents': { type: 'string', default: '20' },
    'phone-db': { type: 'string', default: 'pglite' },
    setups: { type: 'string', default: ROUTING_SETUPS.join(',') },
    'pg-socket': { type: 'string', default: 'tcp' },
  },
});
const int = (name: keyof typeof values, min = 1): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer of at least ${min}`);
    process.exit(2);
  }
  return n;
};
const suite = values.suite;
if (!['all', 'cold-start', 'routing', 'cache', 'phone', 'wakeup'].includes(suite ?? '')) {
  console.error('--suite must be all, cold-start, routing, cache, phone or wakeup');
  process.exit(2);
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
};

const report: Record<string, unknown> = { machine, date: new Date().toISOString() };
if (suite === 'all' || suite === 'wakeup') report.wakeup = await wakeupBench();
if (suite === 'all' || suite === 'cold-start') report.coldStart = await coldStart(int('runs'));
const setups = (values.setups ?? '').split(',').filter(Boolean);
const unknownSetup = setups.find((s) => !(ROUTING_SETUPS as readonly string[]).includes(s));
if (unknownSetup) {
  console.error(`--setups takes a comma-separated list of ${ROUTING_SETUPS.join(', ')}`);
  process.exit(2);
}
if (suite === 'all' || suite === 'routing') {
  report.routing = await routingBench({
    agents: int('agents'),
    rate: int('rate'),
    seconds: int('seconds'),
    warmSeconds: int('warm-seconds', 0),
    flood: int('flood'),
    setups: setups as RoutingSetup[],
    pgSocket: values['pg-socket'] === 'unix' ? 'unix' : 'tcp',
  });
}
if (suite === 'all' || suite === 'cache') report.cache = await cacheBench();
if (suite === 'all' || suite === 'phone') {
  report.phone = await phoneBench({
    calls: int('calls'),
    agents: int('phone-agents'),
    db: values['phone-db'] === 'postgres' ? 'postgres' : 'pglite',
  });
}
console.log(JSON.stringify(report, null, 2));
