import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  CacheFromFutureError,
  LATEST_VERSION,
  migrate,
  migrations,
  schemaVersion,
} from './index.js';
import { type Migration } from './types.js';

describe('cache migration runner', () => {
  it('brings an empty database to the latest version, and a second run changes nothing', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toEqual({ from: 0, to: LATEST_VERSION });
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(migrate(db)).toEqual({ from: LATEST_VERSION, to: LATEST_VERSION });
  });

  it('numbers migrations 1, 2, 3… without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('refuses a cache written by a newer app instead of corrupting it', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    expect(() => migrate(db)).toThrow(CacheFromFutureError);
  });

  it('leaves the previous version intact when a migration fails half-way', () => {
    const db = new Database(':memory:');
    const broken: Migration[] = [
      ...migrations,
      {
        version: migrations.length + 1,
        name: 'broken',
        up(d) {
          d.exec('CREATE TABLE half_done (x INTEGER)');
          throw new Error('boom');
        },
      },
    ];
    migrate(db, 1);
    expect(() => migrate(db, broken.length, broken)).toThrow('boom');
    expect(schemaVersion(db)).toBe(1);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE name IN ('half_done', 'work_items')")
      .all();
    expect(tables).toEqual([]);
  });
});
