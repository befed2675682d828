import type { Kysely, Migration } from 'kysely';

/**
 * Rollouts (rollouts/, docs/rollouts.md): analysis templates, each rollout with its persisted controller state,
 * and the operator commands waiting for the driver. The audit log stays the history; these tables hold only
 * what the reconcile loop needs to resume after a crash.
 */
export const rollouts: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('analysis_templates')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('doc', 'text', (c) => c.notNull())
      .addColumn('template', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('rollouts')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('doc', 'text', (c) => c.notNull())
      .addColumn('rollout', 'text', (c) => c.notNull())
      .addColumn('resolved', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('phase', 'text', (c) => c.notNull())
      .addColumn('route_confirmed', 'integer', (c) => c.notNull())
      .addColumn('state_version', 'integer', (c) => c.notNull())
      .addColumn('outbox', 'text')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rollouts_phase').on('rollouts').column('phase').execute();
    await db.schema
      .createTable('rollout_commands')
      .addColumn('rollout', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('command', 'text', (c) => c.notNull())
      .addColumn('principal', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('trace_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('rollout_commands_pk', ['rollout', 'seq'])
      .execute();
  },
};
