import { defineCoreSuite } from './core-suite.js';
import { startTestHub } from './harness.js';

defineCoreSuite('PGlite', () => startTestHub());
