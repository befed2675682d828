import type { Kysely, Migration } from 'kysely';

/**
 * Four-eyes approvals and presets. A change request holds a change to a protected resource until enough other
 * people approve it; a preset is a named bundle of flag states (docs/approvals.md). JSON as text, like flags.
 */
export const changeRequests: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('change_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('author_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('approvals', 'text', (c) => c.notNull())
      .addColumn('required_approvals', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('result', 'text')
      .execute();
    // Listing by status and expiring pending requests both filter on status first.
    await db.schema
      .createIndex('change_requests_status')
      .on('change_requests')
      .columns(['status', 'expires_at'])
      .execute();
    await db.schema
      .createTable('presets')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('doc', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
