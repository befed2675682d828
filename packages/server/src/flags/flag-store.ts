import type { Flag } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import { readFlags, type StoredFlag } from '../config/state.js';
import type { Tx } from '../storage/database.js';
import type { Schema } from '../storage/schema.js';

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

  async insert(tx: Tx, flag: Flag, now: string): Promise<void> {
    await tx
      .insertInto('flags')
      .values({
        key: flag.key,
        doc: JSON.stringify(flag),
        version: 1,
        archived: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
  },

  /** Writes `flag` if the row is still at `version`; returns false when someone else changed it first. */
  async update(tx: Tx, flag: Flag, version: number, now: string, archived = false): Promise<boolean> {
    const result = await tx
      .updateTable('flags')
      .set({ doc: JSON.stringify(flag), version: version + 1, archived: archived ? 1 : 0, updated_at: now })
      .where('key', '=', flag.key)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },
};
