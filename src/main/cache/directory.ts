import type Database from 'better-sqlite3';
import { z } from 'zod';
import { Queue } from '../../shared/domain/index.js';
import { type CachedPauseReason, type DirectoryAgent } from '../sync/hub-client.js';

export interface CachedAgent {
  id: string;
  name: string;
  login: string | null;
}

/** Queues, pause reasons and the agents directory, replaced wholesale when the hub sends them. */
export class DirectoryRepository {
  constructor(private readonly db: Database.Database) {}

  replaceQueues(queues: readonly Queue[], at = new Date().toISOString()): void {
    const insert = this.db.prepare(
      'INSERT INTO queues (id, name, data, position, updated_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      this.db.exec('DELETE FROM queues');
      queues.forEach((q, i) => insert.run(q.id, q.name, JSON.stringify(q), i, at));
    })();
  }

  queues(): Queue[] {
    const rows = this.db
      .prepare<[], { data: string }>('SELECT data FROM queues ORDER BY position')
      .all();
    return rows.flatMap((r) => {
      const parsed = Queue.safeParse(JSON.parse(r.data));
      return parsed.success ? [parsed.data] : [];
    });
  }

  replacePauseReasons(reasons: readonly CachedPauseReason[], at = new Date().toISOString()): void {
    const insert = this.db.prepare(
      `INSERT INTO pause_reasons (code, label, system, enabled, position, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      this.db.exec('DELETE FROM pause_reasons');
      reasons.forEach((r, i) =>
        insert.run(r.code, r.label, r.system ? 1 : 0, r.enabled === false ? 0 : 1, i, at),
      );
    })();
  }

  pauseReasons(): { code: string; label: string; system: boolean; enabled: boolean }[] {
    return z
      .array(
        z.object({
          code: z.string(),
          label: z.string(),
          system: z.number().transform((n) => n === 1),
          enabled: z.number().transform((n) => n === 1),
        }),
      )
      .parse(
        this.db
          .prepare('SELECT code, label, system, enabled FROM pause_reasons ORDER BY position')
          .all(),
      );
  }

  replaceAgents(agents: readonly DirectoryAgent[], at = new Date().toISOString()): void {
    const insert = this.db.prepare(
      'INSERT INTO directory_agents (id, name, login, updated_at) VALUES (?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      this.db.exec('DELETE FROM directory_agents');
      for (const a of agents) insert.run(a.agent.id, a.agent.name, a.agent.login, at);
    })();
  }

  agents(): CachedAgent[] {
    return this.db
      .prepare<[], CachedAgent>('SELECT id, name, login FROM directory_agents ORDER BY name')
      .all();
  }
}
