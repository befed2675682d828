import { type Kysely, sql } from 'kysely';
import type { Principal } from '../auth/roles.js';
import type { Tx } from '../storage/database.js';
import type { RolloutTable, Schema } from '../storage/schema.js';
import type { ResolvedRollout, Rollout } from './rollout.js';
import type { Action, Command, RolloutState, Transition } from './rollout-state.js';

type Reader = Kysely<Schema> | Tx;

/** A transition as webhooks carry it (the shape of notifications/webhook-notifier.ts `RolloutNotification`). */
export interface OutboxNotification {
  readonly rollout: string;
  readonly revision: number;
  readonly transition: Transition;
  readonly at: string;
}

/** The side effects of the last transition, kept with the state until they are carried out. */
export interface Outbox {
  readonly actions: readonly Action[];
  readonly notifications: readonly OutboxNotification[];
}

export interface StoredRollout {
  readonly name: string;
  readonly revision: number;
  /** The document as authored. */
  readonly doc: unknown;
  readonly rollout: Rollout;
  readonly resolved: ResolvedRollout;
  readonly state: RolloutState;
  readonly stateVersion: number;
  readonly outbox?: Outbox;
  readonly leaseOwner?: string;
  readonly leaseExpiresAt?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** An operator command waiting for the driver, with who gave it and why. */
export interface PendingCommand {
  readonly rollout: string;
  readonly seq: number;
  readonly revision: number;
  readonly command: Command;
  readonly principal: Principal;
  readonly reason?: string;
  readonly traceId?: string;
  readonly createdAt: string;
}

/** Phases the controller leaves alone unless told otherwise (a command, an outbox to replay). */
export const SETTLED_PHASES: readonly string[] = ['Healthy', 'Aborted'];

/**
 * Rollout rows and their command queue. State writes are compare-and-set on `state_version` (and on the lease
 * owner when one is given), so two drivers can never both commit a transition of the same state.
 */
export const rolloutStore = {
  async list(db: Reader): Promise<StoredRollout[]> {
    return (await db.selectFrom('rollouts').selectAll().orderBy('name').execute()).map(toStored);
  },

  async get(db: Reader, name: string): Promise<StoredRollout | undefined> {
    const row = await db.selectFrom('rollouts').selectAll().where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : toStored(row);
  },

  /**
   * Rollouts the driver must look at: not settled, or with work left (an aborted rollout's routing not yet
   * confirmed back on stable, an outbox, a queued command).
   */
  async activeNames(db: Reader): Promise<string[]> {
    const rows = await db
      .selectFrom('rollouts')
      .select('name')
      .where((eb) =>
        eb.or([
          eb('phase', 'not in', SETTLED_PHASES),
          eb('route_confirmed', '=', 0),
          eb('outbox', 'is not', null),
          eb.exists(
            eb
              .selectFrom('rollout_commands')
              .select('rollout_commands.seq')
              .whereRef('rollout_commands.rollout', '=', 'rollouts.name'),
          ),
        ]),
      )
      .orderBy('name')
      .execute();
    return rows.map((r) => r.name);
  },

  /** Writes a (re)started rollout: a new revision, a fresh state, no outbox, no queued commands. */
  async start(
    tx: Tx,
    input: { doc: unknown; rollout: Rollout; resolved: ResolvedRollout; state: RolloutState },
    now: string,
  ): Promise<void> {
    const name = input.rollout.name;
    const before = await rolloutStore.get(tx, name);
    const values = {
      revision: input.state.revision,
      doc: JSON.stringify(input.doc),
      rollout: JSON.stringify(input.rollout),
      resolved: JSON.stringify(input.resolved),
      state: JSON.stringify(input.state),
      phase: input.state.phase,
      route_confirmed: input.state.routeConfirmed ? 1 : 0,
      state_version: (before?.stateVersion ?? 0) + 1,
      outbox: null,
      updated_at: now,
    };
    await tx.deleteFrom('rollout_commands').where('rollout', '=', name).execute();
    if (before === undefined)
      await tx
        .insertInto('rollouts')
        .values({ name, ...values, lease_owner: null, lease_expires_at: null, created_at: now })
        .execute();
    else await tx.updateTable('rollouts').set(values).where('name', '=', name).execute();
  },

  /**
   * Commits the next state and its outbox if the row is still at `stateVersion` (and, with `owner`, still leased
   * to it). False: someone else moved it first, and nothing was written.
   */
  async writeState(
    tx: Tx,
    name: string,
    expect: { stateVersion: number; owner?: string },
    state: RolloutState,
    outbox: Outbox | undefined,
    now: string,
  ): Promise<boolean> {
    let q = tx
      .updateTable('rollouts')
      .set({
        state: JSON.stringify(state),
        phase: state.phase,
        route_confirmed: state.routeConfirmed ? 1 : 0,
        state_version: expect.stateVersion + 1,
        outbox: outbox === undefined ? null : JSON.stringify(outbox),
        updated_at: now,
      })
      .where('name', '=', name)
      .where('state_version', '=', expect.stateVersion);
    if (expect.owner !== undefined) q = q.where('lease_owner', '=', expect.owner);
    return Number((await q.executeTakeFirst()).numUpdatedRows) === 1;
  },

  /** Forgets the outbox once its side effects are done, unless a newer state replaced it meanwhile. */
  async clearOutbox(db: Reader, name: string, stateVersion: number): Promise<void> {
    await db
      .updateTable('rollouts')
      .set({ outbox: null })
      .where('name', '=', name)
      .where('state_version', '=', stateVersion)
      .execute();
  },

  /**
   * Takes or renews the lease: one conditional update, so of two replicas racing for a free or expired lease
   * exactly one wins (PostgreSQL re-checks the condition on the row it waited for).
   */
  async acquireLease(db: Reader, name: string, owner: string, now: Date, ttlMs: number): Promise<boolean> {
    const result = await db
      .updateTable('rollouts')
      .set({ lease_owner: owner, lease_expires_at: new Date(now.getTime() + ttlMs).toISOString() })
      .where('name', '=', name)
      .where((eb) =>
        eb.or([
          eb('lease_owner', 'is', null),
          eb('lease_owner', '=', owner),
          eb('lease_expires_at', '<=', now.toISOString()),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  async releaseLease(db: Reader, name: string, owner: string): Promise<void> {
    await db
      .updateTable('rollouts')
      .set({ lease_owner: null, lease_expires_at: null })
      .where('name', '=', name)
      .where('lease_owner', '=', owner)
      .execute();
  },

  async enqueue(
    tx: Tx,
    input: Omit<PendingCommand, 'seq' | 'createdAt'>,
    now: string,
  ): Promise<PendingCommand> {
    const last = await tx
      .selectFrom('rollout_commands')
      .select(sql<number>`max(seq)`.as('seq'))
      .where('rollout', '=', input.rollout)
      .executeTakeFirst();
    const seq = Number(last?.seq ?? 0) + 1;
    await tx
      .insertInto('rollout_commands')
      .values({
        rollout: input.rollout,
        seq,
        revision: input.revision,
        command: JSON.stringify(input.command),
        principal: JSON.stringify(input.principal),
        reason: input.reason ?? null,
        trace_id: input.traceId ?? null,
        created_at: now,
      })
      .execute();
    return { ...input, seq, createdAt: now };
  },

  async pending(db: Reader, name: string): Promise<PendingCommand[]> {
    const rows = await db
      .selectFrom('rollout_commands')
      .selectAll()
      .where('rollout', '=', name)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({
      rollout: r.rollout,
      seq: Number(r.seq),
      revision: Number(r.revision),
      command: JSON.parse(r.command) as Command,
      principal: JSON.parse(r.principal) as Principal,
      ...(r.reason === null ? {} : { reason: r.reason }),
      ...(r.trace_id === null ? {} : { traceId: r.trace_id }),
      createdAt: r.created_at,
    }));
  },

  /** Removes a command; true when it was still there (so it is applied once even if two reconciles race). */
  async dequeue(tx: Tx, name: string, seq: number): Promise<boolean> {
    const result = await tx
      .deleteFrom('rollout_commands')
      .where('rollout', '=', name)
      .where('seq', '=', seq)
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  },
};

function toStored(row: RolloutTable): StoredRollout {
  return {
    name: row.name,
    revision: Number(row.revision),
    doc: JSON.parse(row.doc),
    rollout: JSON.parse(row.rollout) as Rollout,
    resolved: JSON.parse(row.resolved) as ResolvedRollout,
    state: JSON.parse(row.state) as RolloutState,
    stateVersion: Number(row.state_version),
    ...(row.outbox === null ? {} : { outbox: JSON.parse(row.outbox) as Outbox }),
    ...(row.lease_owner === null ? {} : { leaseOwner: row.lease_owner }),
    ...(row.lease_expires_at === null ? {} : { leaseExpiresAt: row.lease_expires_at }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
