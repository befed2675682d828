import { sql } from 'kysely';
import type { Change, ChangeBus } from '../delivery/change-bus.js';
import { Mutations } from '../mutation.js';
import type { Database, Tx } from '../storage/database.js';

/**
 * One transaction that several services' mutations join: `mutations` runs every body in `tx` (already holding
 * the write lock) instead of opening its own, and holds their change announcements until the transaction
 * commits. Approving a change request records the approval, applies the change and marks the request applied
 * in one commit, so a crash or a concurrent approver never sees the change applied and the request pending.
 */
export class TransactionScope {
  private readonly held: Change[] = [];
  private savepoints = 0;
  readonly mutations: Mutations;

  private constructor(
    readonly tx: Tx,
    database: Database,
    readonly now: Date,
  ) {
    const joined: Database = { ...database, db: tx, write: (body) => body(tx) };
    const holding: ChangeBus = {
      publish: async (change) => {
        this.held.push(change);
      },
      subscribe: () => () => {},
      close: async () => {},
    };
    this.mutations = new Mutations(joined, holding, () => now);
  }

  /** Runs `fn` in one transaction under the write lock; announces its changes on `bus` once it committed. */
  static async run<T>(
    database: Database,
    bus: ChangeBus,
    now: Date,
    fn: (scope: TransactionScope) => Promise<T>,
  ): Promise<T> {
    let scope: TransactionScope | undefined;
    const result = await database.write((tx) => {
      scope = new TransactionScope(tx, database, now);
      return fn(scope);
    });
    for (const change of scope?.held ?? []) await bus.publish(change);
    return result;
  }

  /**
   * Runs `fn` inside a savepoint and keeps its writes only when `keep(result)` says so; an error rolls them
   * back and is rethrown. A dry run is `attempt(fn, () => false)`: everything is checked, nothing stays.
   */
  async attempt<T>(
    fn: () => Promise<T>,
    keep: (result: T) => boolean | Promise<boolean>,
  ): Promise<{ result: T; kept: boolean }> {
    const name = `pitboss_sp_${++this.savepoints}`;
    const heldBefore = this.held.length;
    await sql.raw(`savepoint ${name}`).execute(this.tx);
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      await this.rollbackTo(name, heldBefore);
      throw e;
    }
    const kept = await keep(result);
    if (kept) await sql.raw(`release savepoint ${name}`).execute(this.tx);
    else await this.rollbackTo(name, heldBefore);
    return { result, kept };
  }

  private async rollbackTo(name: string, heldBefore: number): Promise<void> {
    await sql.raw(`rollback to savepoint ${name}`).execute(this.tx);
    // Changes rolled back were never made: nobody is told about them.
    this.held.length = heldBefore;
  }
}
