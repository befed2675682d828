import type { Segment } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import {
  readFlags,
  readSegments,
  readVersion,
  type StoredFlag,
  type StoredSegment,
} from '../config/state.js';
import type { PresetView } from '../presets/preset.js';
import { presetStore } from '../presets/preset-store.js';
import type { Tx } from '../storage/database.js';
import type { Schema } from '../storage/schema.js';

type Reader = Kysely<Schema> | Tx;

/** An environment as GitOps documents describe it. */
export interface EnvironmentState {
  readonly key: string;
  readonly description: string | null;
  readonly gitopsLocked: boolean;
}

/**
 * Everything `apply` compares documents with: archived flags, segments and presets included (a document
 * revives them).
 */
export interface StoredState {
  readonly environments: readonly EnvironmentState[];
  readonly segments: readonly StoredSegment[];
  readonly flags: readonly StoredFlag[];
  readonly presets: readonly PresetView[];
  readonly version: number;
}

export async function readStoredState(db: Reader): Promise<StoredState> {
  const [rows, segments, flags, presets, version] = await Promise.all([
    db.selectFrom('environments').selectAll().orderBy('position').execute(),
    readSegments(db, true),
    readFlags(db, true),
    presetStore.list(db, true),
    readVersion(db),
  ]);
  const environments = rows.map((r) => ({
    key: r.key,
    description: r.description,
    gitopsLocked: r.gitops_locked === 1,
  }));
  return { environments, segments, flags, presets, version };
}

/**
 * Row writes of one `apply`, inside its transaction. Flags and presets go through their stores; environments and segments
 * are written here because their services keep their SQL private to single-item, self-transacting methods.
 * The rows are the same as those services write, so either can read what the other wrote.
 */
export const gitopsStore = {
  async insertEnvironment(tx: Tx, env: EnvironmentState, now: string): Promise<void> {
    const last = await tx
      .selectFrom('environments')
      .select((eb) => eb.fn.max('position').as('p'))
      .executeTakeFirst();
    await tx
      .insertInto('environments')
      .values({
        key: env.key,
        position: Number(last?.p ?? -1) + 1,
        description: env.description,
        gitops_locked: env.gitopsLocked ? 1 : 0,
        created_at: now,
      })
      .execute();
  },

  async updateEnvironment(tx: Tx, env: EnvironmentState): Promise<void> {
    await tx
      .updateTable('environments')
      .set({ description: env.description, gitops_locked: env.gitopsLocked ? 1 : 0 })
      .where('key', '=', env.key)
      .execute();
  },

  async insertSegment(tx: Tx, segment: Segment, now: string): Promise<void> {
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

  /** Writes the next version of a stored segment (archived or revived by `archived`). */
  async updateSegment(
    tx: Tx,
    segment: Segment,
    version: number,
    now: string,
    archived: boolean,
  ): Promise<void> {
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
