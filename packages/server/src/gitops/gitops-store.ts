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
