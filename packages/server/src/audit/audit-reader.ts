import type { Kysely } from 'kysely';
import type { AuditCheckpointTable, AuditTable, Schema } from '../storage/schema.js';

/** Rows per query: memory stays flat however long the log grows. */
export const PAGE_SIZE = 1000;

/** Which entries to read; all of them by default. */
export interface AuditFilter {
  /** Only entries with seq greater than this. */
  readonly after?: number;
  /** Only entries with seq up to this, inclusive. */
  readonly through?: number;
  readonly resource?: string;
  /** A substring of the actor (name and token id). */
  readonly actor?: string;
  /** ISO times: `since` inclusive, `until` exclusive. */
  readonly since?: string;
  readonly until?: string;
}

/**
 * Streams audit rows in seq order, one page at a time (keyset pagination on the primary key, so each page is an
 * index range scan and later pages cost no more than the first).
 */
export async function* auditRows(
  db: Kysely<Schema>,
  filter: AuditFilter = {},
  pageSize = PAGE_SIZE,
): AsyncGenerator<AuditTable> {
  let after = filter.after ?? 0;
  for (;;) {
    let query = db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(pageSize);
    if (filter.through !== undefined) query = query.where('seq', '<=', filter.through);
    if (filter.resource) query = query.where('resource', '=', filter.resource);
    if (filter.actor) query = query.where('actor', 'like', `%${filter.actor.replace(/[%_]/g, '')}%`);
    if (filter.since) query = query.where('at', '>=', new Date(filter.since).toISOString());
    if (filter.until) query = query.where('at', '<', new Date(filter.until).toISOString());
    const page = await query.execute();
    for (const row of page) yield row;
    if (page.length < pageSize) return;
    after = Number(page[page.length - 1]!.seq);
  }
}

/** Streams checkpoint rows in size order, a page at a time. */
export async function* checkpointRows(
  db: Kysely<Schema>,
  after = 0,
  pageSize = PAGE_SIZE,
): AsyncGenerator<AuditCheckpointTable> {
  for (;;) {
    const page = await db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('size', '>', after)
      .orderBy('size')
      .limit(pageSize)
      .execute();
    for (const row of page) yield row;
    if (page.length < pageSize) return;
    after = Number(page[page.length - 1]!.size);
  }
}

/** The highest seq, 0 for an empty log. With an intact log, also the number of entries. */
export async function lastSeq(db: Kysely<Schema>): Promise<number> {
  const row = await db
    .selectFrom('audit_log')
    .select('seq')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? 0 : Number(row.seq);
}
