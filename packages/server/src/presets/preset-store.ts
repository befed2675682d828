import type { Kysely } from 'kysely';
import type { Tx } from '../storage/database.js';
import type { PresetTable, Schema } from '../storage/schema.js';
import type { Preset, PresetView } from './preset.js';

type Reader = Kysely<Schema> | Tx;

/** Preset rows. Writes take the transaction of a mutation; `update` is conditional on the version (optimistic). */
export const presetStore = {
  async list(db: Reader, includeArchived = false): Promise<PresetView[]> {
    let q = db.selectFrom('presets').selectAll().orderBy('key');
    if (!includeArchived) q = q.where('archived', '=', 0);
    return (await q.execute()).map(toView);
  },

  async get(db: Reader, key: string): Promise<PresetView | undefined> {
    const row = await db.selectFrom('presets').selectAll().where('key', '=', key).executeTakeFirst();
    return row === undefined ? undefined : toView(row);
  },

  async insert(tx: Tx, preset: Preset, now: string): Promise<void> {
    await tx
      .insertInto('presets')
      .values({
        key: preset.key,
        doc: JSON.stringify(preset),
        version: 1,
        archived: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
  },

  /** Writes `preset` if the row is still at `version`; returns false when someone else changed it first. */
  async update(tx: Tx, preset: Preset, version: number, now: string, archived = false): Promise<boolean> {
    const result = await tx
      .updateTable('presets')
      .set({ doc: JSON.stringify(preset), version: version + 1, archived: archived ? 1 : 0, updated_at: now })
      .where('key', '=', preset.key)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },
};

function toView(row: PresetTable): PresetView {
  return {
    preset: JSON.parse(row.doc) as Preset,
    version: row.version,
    archived: row.archived === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
