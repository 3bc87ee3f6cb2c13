import { type Migration } from './types.js';

const fts = (table: string, columns: string, source: string, cols: string[], prefix = '') => {
  const values = (prefix: string) => cols.map((c) => `${prefix}.${c}`).join(', ');
  return `
      CREATE VIRTUAL TABLE ${table} USING fts5(${columns}, content='${source}',
        content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'${prefix});
      CREATE TRIGGER ${table}_ai AFTER INSERT ON ${source} BEGIN
        INSERT INTO ${table} (rowid, ${cols.join(', ')}) VALUES (new.rowid, ${values('new')});
      END;
      CREATE TRIGGER ${table}_ad AFTER DELETE ON ${source} BEGIN
        INSERT INTO ${table} (${table}, rowid, ${cols.join(', ')})
          VALUES ('delete', old.rowid, ${values('old')});
      END;
      CREATE TRIGGER ${table}_au AFTER UPDATE ON ${source}
        WHEN ${cols.map((c) => `old.${c} IS NOT new.${c}`).join(' OR ')} BEGIN
        INSERT INTO ${table} (${table}, rowid, ${cols.join(', ')})
          VALUES ('delete', old.rowid, ${values('old')});
        INSERT INTO ${table} (rowid, ${cols.join(', ')}) VALUES (new.rowid, ${values('new')});
      END;
      INSERT INTO ${table} (${table}) VALUES ('rebuild');`;
};

/**
 * The update triggers only fire when an indexed column changed: refreshing a cached ticket
 * (versions, timestamps) leaves the index alone.
 *
 * Version 4: full-text search (FTS5) over the cache: message text, ticket subject and customer
 * name, customer name/e-mail/phone. External-content tables kept in step by triggers, so every
 * write path of the cache indexes without knowing about it. Diacritics are folded: "zamowienie"
 * finds "zamówienie".
 */
export const migration004: Migration = {
  version: 4,
  name: 'search',
  up(db) {
    db.exec(
      // Prefix indexes: the search box matches words as typed ("zamów" → "zamówienie").
      fts('messages_fts', 'text', 'messages', ['text'], ", prefix='2 3 4'") +
        fts('tickets_fts', 'subject, customer_name', 'tickets', ['subject', 'customer_name']) +
        fts('customers_fts', 'name, email, phone', 'customers', ['name', 'email', 'phone']),
    );
  },
};
