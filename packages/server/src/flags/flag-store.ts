import type { Flag } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import { readFlags, type StoredFlag } from '../config/state.js';
import type { Tx } from '../storage/database.js';
import type { Schema } from '../storage/schema.js';
import { versionedDocuments } from '../storage/versioned-documents.js';

/** Flag rows. Writes take the transaction of a mutation; `update` is conditional on the version (optimistic). */
export const flagStore = {
  list: (db: Kysely<Schema> | Tx, includeArchived = false): Promise<StoredFlag[]> =>
    readFlags(db, includeArchived),

  async get(db: Kysely<Schema> | Tx, key: string): Promise<StoredFlag | undefined> {
    const row = await db.selectFrom('flags').selectAll().where('key', '=', key).executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      flag: JSON.parse(row.doc) as Flag,
      version: row.version,
      archived: row.archived === 1,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  },

  ...versionedDocuments<Flag>('flags'),
};
