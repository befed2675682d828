import type { Kysely, Migration } from 'kysely';

/**
 * Decisions SDKs report (flag, variant, reason, rule, trace id): for debugging a player's experience and for
 * finding flags nobody evaluates any more. Not part of the audit log: bounded retention deletes old rows.
 */
export const decisionLog: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('decision_logs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('environment', 'text', (c) => c.notNull())
      .addColumn('flag', 'text', (c) => c.notNull())
      .addColumn('variant', 'text')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('rule_index', 'integer')
      .addColumn('trace_id', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('decision_logs_flag_at')
      .on('decision_logs')
      .columns(['flag', 'at'])
      .execute();
    await db.schema.createIndex('decision_logs_trace').on('decision_logs').column('trace_id').execute();
    await db.schema.createIndex('decision_logs_received').on('decision_logs').column('received_at').execute();
  },
};
