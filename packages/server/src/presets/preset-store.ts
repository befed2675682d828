import type { Kysely } from 'kysely';
import type { Tx } from '../storage/database.js';
import type { PresetTable, Schema } from '../storage/schema.js';
import { versionedDocuments } from '../storage/versioned-documents.js';
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

  ...versionedDocuments<Preset>('presets'),
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
