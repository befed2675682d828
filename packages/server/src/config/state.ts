import type { Flag, Segment } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import type { Tx } from '../storage/database.js';
import type { Schema } from '../storage/schema.js';

export interface StoredFlag {
  readonly flag: Flag;
  readonly version: number;
  readonly archived: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface StoredSegment {
  readonly segment: Segment;
  readonly version: number;
  readonly archived: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Everything that makes up the delivered configuration, as stored. */
export interface ConfigState {
  readonly environments: readonly string[];
  readonly segments: readonly StoredSegment[];
  readonly flags: readonly StoredFlag[];
  /** The last audit sequence number: the configuration version. */
  readonly version: number;
}

type Reader = Kysely<Schema> | Tx;

export async function readEnvironmentKeys(db: Reader): Promise<string[]> {
  const rows = await db.selectFrom('environments').select('key').orderBy('position').execute();
  return rows.map((r) => r.key);
}

export async function readFlags(db: Reader, includeArchived = false): Promise<StoredFlag[]> {
  let q = db.selectFrom('flags').selectAll().orderBy('key');
  if (!includeArchived) q = q.where('archived', '=', 0);
  return (await q.execute()).map((row) => ({
    flag: JSON.parse(row.doc) as Flag,
    version: row.version,
    archived: row.archived === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

export async function readSegments(db: Reader, includeArchived = false): Promise<StoredSegment[]> {
  let q = db.selectFrom('segments').selectAll().orderBy('key');
  if (!includeArchived) q = q.where('archived', '=', 0);
  return (await q.execute()).map((row) => ({
    segment: JSON.parse(row.doc) as Segment,
    version: row.version,
    archived: row.archived === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

export async function readVersion(db: Reader): Promise<number> {
  const row = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

export async function readState(db: Reader): Promise<ConfigState> {
  const [environments, segments, flags, version] = await Promise.all([
    readEnvironmentKeys(db),
    readSegments(db),
    readFlags(db),
    readVersion(db),
  ]);
  return { environments, segments, flags, version };
}
