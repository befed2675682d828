import type { Tx } from './database.js';

/** The tables holding one JSON document per key with a version for `If-Match`: flags, segments, presets. */
export type DocumentTableName = 'flags' | 'segments' | 'presets';

/**
 * Row writes of a versioned-document table, inside a mutation's transaction. `update` writes only if the row is
 * still at `version` (optimistic concurrency) and says whether it did; `archived` archives or revives the row.
 */
export function versionedDocuments<T extends { readonly key: string }>(table: DocumentTableName) {
  return {
    async insert(tx: Tx, doc: T, now: string): Promise<void> {
      await tx
        .insertInto(table)
        .values({
          key: doc.key,
          doc: JSON.stringify(doc),
          version: 1,
          archived: 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
    },

    async update(tx: Tx, doc: T, version: number, now: string, archived = false): Promise<boolean> {
      const result = await tx
        .updateTable(table)
        .set({ doc: JSON.stringify(doc), version: version + 1, archived: archived ? 1 : 0, updated_at: now })
        .where('key', '=', doc.key)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
