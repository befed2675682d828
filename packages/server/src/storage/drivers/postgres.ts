import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Driver, Tx } from '../database.js';
import type { Schema } from '../schema.js';

// int8 (bigint) columns come back as numbers: audit sequence numbers stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

/** Arbitrary constant naming Pitboss's advisory lock: every writer of this database takes it. */
const WRITE_LOCK = 0x70_62_6f_73; // 'pbos'
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * PostgreSQL through node-postgres. `?schema=name` in the URL puts Pitboss's tables in that schema (created if
 * missing), so tests and tenants can share a database.
 */
export async function openPostgres(url: string): Promise<Driver> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && !SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name '${schema}'`);
  if (schema !== null) await createSchema(parsed.toString(), schema);
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: 10,
    ...(schema === null ? {} : { options: `-c search_path=${schema}` }),
  });
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const display = new URL(parsed.toString());
  display.password = display.password ? '***' : '';
  return {
    db,
    dialect: 'postgres',
    displayUrl: display.toString() + (schema ? ` (schema ${schema})` : ''),
    lock: async (tx: Tx) => {
      await sql`select pg_advisory_xact_lock(${WRITE_LOCK})`.execute(tx);
    },
    close: () => db.destroy(),
  };
}

async function createSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema if not exists ${schema}`);
  } finally {
    await client.end();
  }
}
