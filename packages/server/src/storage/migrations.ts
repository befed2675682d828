import { type Kysely, type Migration, Migrator } from 'kysely';
import { PitbossError } from '../errors.js';
import type { Dialect } from './database.js';
import { initialSchema } from './migrations/001-initial.js';
import { decisionLog } from './migrations/002-decision-log.js';
import type { Schema } from './schema.js';

/**
 * Versioned schema migrations, run at start on both drivers. Append new ones; never edit a released one.
 * Kysely's migrator records them in `kysely_migration` and locks against concurrent starts.
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '001-initial': initialSchema(dialect),
    '002-decision-log': decisionLog,
  };
}

export async function migrate(db: Kysely<Schema>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations(dialect) } });
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
