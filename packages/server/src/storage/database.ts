import type { Kysely, Transaction } from 'kysely';
import { PitbossError } from '../errors.js';
import { openPostgres } from './drivers/postgres.js';
import { openSqlite } from './drivers/sqlite.js';
import { migrate } from './migrations.js';
import type { Schema } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';
export type Tx = Transaction<Schema>;

/** A database connection of either driver, migrated and ready. */
export interface Database {
  readonly db: Kysely<Schema>;
  readonly dialect: Dialect;
  /** The URL without credentials, safe to log. */
  readonly displayUrl: string;
  /** The URL it was opened with (credentials included): for extra connections such as LISTEN. Never log it. */
  readonly url: string;
  /**
   * Runs `fn` in a transaction holding the database-wide write lock: mutations are serialised, so the audit
   * chain never forks and versions never race, on one server or many (PostgreSQL advisory lock).
   */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A driver opens a connection; it does not migrate. One file per driver under `drivers/`. */
export interface Driver {
  readonly db: Kysely<Schema>;
  readonly dialect: Dialect;
  readonly displayUrl: string;
  /** SQL that takes the write lock inside a transaction, if the driver needs one. */
  lock(tx: Tx): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens `sqlite:<path>` (`sqlite::memory:` for tests) or `postgres://…` (`?schema=name` selects a schema, created
 * if missing), then runs pending migrations. Refuses any other scheme.
 */
export async function openDatabase(url: string): Promise<Database> {
  const driver = await openDriver(url);
  try {
    await migrate(driver.db, driver.dialect);
  } catch (e) {
    await driver.close();
    throw e;
  }
  return {
    db: driver.db,
    dialect: driver.dialect,
    displayUrl: driver.displayUrl,
    url,
    write: (fn) =>
      driver.db.transaction().execute(async (tx) => {
        await driver.lock(tx);
        return fn(tx);
      }),
    close: () => driver.close(),
  };
}

function openDriver(url: string): Promise<Driver> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url);
  throw new PitbossError(
    'BAD_REQUEST',
    `unsupported database URL '${url.split(':')[0]}:…'; use sqlite:<path> or postgres://…`,
  );
}
