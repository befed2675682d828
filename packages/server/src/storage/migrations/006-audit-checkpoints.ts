import { type Kysely, type Migration, sql } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Merkle tree heads of the audit log (audit/audit-checkpoints.ts, docs/audit.md), append-only like the log: a
 * checkpoint someone could rewrite would prove nothing.
 */
export function auditCheckpoints(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_checkpoints')
        .addColumn('size', 'bigint', (c) => c.primaryKey())
        .addColumn('root_hash', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('signature', 'text')
        .addColumn('key_id', 'text')
        .execute();
      if (dialect === 'sqlite') {
        // SQLite has no TRUNCATE, and its DELETE-without-WHERE shortcut is disabled on tables with triggers.
        for (const op of ['update', 'delete']) {
          await sql
            .raw(
              `create trigger audit_checkpoints_no_${op} before ${op} on audit_checkpoints begin select raise(abort, 'audit_checkpoints is append-only'); end`,
            )
            .execute(db);
        }
        return;
      }
      await sql`create or replace function pitboss_audit_checkpoints_append_only() returns trigger
        language plpgsql as $$ begin raise exception 'audit_checkpoints is append-only'; end $$`.execute(db);
      await sql`create trigger audit_checkpoints_append_only before update or delete on audit_checkpoints
        for each row execute function pitboss_audit_checkpoints_append_only()`.execute(db);
      await sql`create trigger audit_checkpoints_no_truncate before truncate on audit_checkpoints
        for each statement execute function pitboss_audit_checkpoints_append_only()`.execute(db);
    },
  };
}
