import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Driver } from '../database.js';
import type { Schema } from '../schema.js';

/**
 * SQLite through better-sqlite3, in WAL mode. One connection: Kysely's SQLite driver runs one query and one
 * transaction at a time, which is the write lock.
 */
export async function openSqlite(path: string): Promise<Driver> {
  const file = path === '' || path === ':memory:' ? ':memory:' : path;
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: 'sqlite',
    displayUrl: `sqlite:${file}`,
    lock: async () => {},
    close: () => db.destroy(),
  };
}
