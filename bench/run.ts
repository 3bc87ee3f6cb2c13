import { cpus, totalmem } from 'node:os';
import { coldStart } from './cold-start.js';

/** `npm run bench [-- --runs N]`: prints a JSON report with the machine it ran on. */
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag >= 0 ? Number(process.argv[runsFlag + 1]) : 5;
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs must be a positive integer');
  process.exit(2);
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
};

const report = { machine, date: new Date().toISOString(), coldStart: await coldStart(runs) };
console.log(JSON.stringify(report, null, 2));
