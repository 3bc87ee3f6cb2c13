import { sql as v1 } from './001-core.js';
import { sql as v2 } from './002-routing.js';
import { sql as v3 } from './003-routing-engine.js';
import { sql as v4 } from './004-reply-conflicts.js';
import { sql as v5 } from './005-telephony.js';
import { sql as v6 } from './006-call-takeover.js';
import { sql as v7 } from './007-call-proxy-instance.js';
import { sql as v8 } from './008-routing-indexes.js';
import { sql as v9 } from './009-evapi-gap.js';
import { sql as v10 } from './010-routing-views.js';
import { sql as v11 } from './011-versions-in-writes.js';
import { sql as v12 } from './012-ready-agents.js';
import { sql as v13 } from './013-event-indexes.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every schema version, in order. Migrations are TS modules so the hub bundles without assets. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'core', sql: v1 },
  { version: 2, name: 'routing', sql: v2 },
  { version: 3, name: 'routing-engine', sql: v3 },
  { version: 4, name: 'reply-conflicts', sql: v4 },
  { version: 5, name: 'telephony', sql: v5 },
  { version: 6, name: 'call-takeover', sql: v6 },
  { version: 7, name: 'call-proxy-instance', sql: v7 },
  { version: 8, name: 'routing-indexes', sql: v8 },
  { version: 9, name: 'evapi-gap', sql: v9 },
  { version: 10, name: 'routing-views', sql: v10 },
  { version: 11, name: 'versions-in-writes', sql: v11 },
  { version: 12, name: 'ready-agents', sql: v12 },
  { version: 13, name: 'event-indexes', sql: v13 },
];
