import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import { PitbossError } from '../errors.js';
import type { Dialect } from './database.js';
import { initialSchema } from './migrations/001-initial.js';
import { decisionLog } from './migrations/002-decision-log.js';
import { changeRequests } from './migrations/003-change-requests.js';
import { auditCheckpoints } from './migrations/006-audit-checkpoints.js';
import { rollouts } from './migrations/007-rollouts.js';
import type { Schema } from './schema.js';

/**
 * Versioned schema migrations, run at start on both drivers. Append new ones; never edit a released one.
 * Kysely's migrator records them in `kysely_migration` and locks against concurrent starts.
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '001-initial': initialSchema(dialect),
    '002-decision-log': decisionLog,
    '003-change-requests': changeRequests,
    '006-audit-checkpoints': auditCheckpoints(dialect),
    '007-rollouts': rollouts,
  };
}

export async function migrate(db: Kysely<Schema>, dialect: Dialect): Promise<void> {
  // Unless told the schema, Kysely takes its migration tables in ANY schema of the database as its own: a fresh
  // schema beside another Pitboss schema (parallel test suites, tenants) then fails with "kysely_migration_lock
  // does not exist". Name the connection's current schema.
  const schema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new PitbossError(
      'UNAVAILABLE',
      `database migration '${failed}' failed: ${String(error)}`,
      undefined,
      { cause: error },
    );
  }
}
