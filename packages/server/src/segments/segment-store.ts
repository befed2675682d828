import type { Segment } from '@pitboss/engine';
import type { Tx } from '../storage/database.js';

/** Segment rows, written inside a mutation's transaction by the segment API and by `pitboss apply`. */
export const segmentStore = {
  async insert(tx: Tx, segment: Segment, now: string): Promise<void> {
    await tx
      .insertInto('segments')
      .values({
        key: segment.key,
        doc: JSON.stringify(segment),
        version: 1,
        archived: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
  },

  /** Writes the next version of a stored segment; `archived` archives or revives it. */
  async update(tx: Tx, segment: Segment, version: number, now: string, archived: boolean): Promise<void> {
    await tx
      .updateTable('segments')
      .set({
        doc: JSON.stringify(segment),
        version: version + 1,
        archived: archived ? 1 : 0,
        updated_at: now,
      })
      .where('key', '=', segment.key)
      .where('version', '=', version)
      .execute();
  },
};
