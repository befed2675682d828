import type { Tx } from '../storage/database.js';

export interface EnvironmentRow {
  readonly key: string;
  readonly description: string | null;
  readonly gitopsLocked: boolean;
}

/** Environment rows, written by the environment API and by `pitboss apply`. */
export const environmentStore = {
  /** Appends an environment after the last one in promotion order; returns its position. */
  async insert(tx: Tx, env: EnvironmentRow, now: string): Promise<number> {
    const last = await tx
      .selectFrom('environments')
      .select((eb) => eb.fn.max('position').as('p'))
      .executeTakeFirst();
    const position = Number(last?.p ?? -1) + 1;
    await tx
      .insertInto('environments')
      .values({
        key: env.key,
        position,
        description: env.description,
        gitops_locked: env.gitopsLocked ? 1 : 0,
        created_at: now,
      })
      .execute();
    return position;
  },

  async update(tx: Tx, env: EnvironmentRow): Promise<void> {
    await tx
      .updateTable('environments')
      .set({ description: env.description, gitops_locked: env.gitopsLocked ? 1 : 0 })
      .where('key', '=', env.key)
      .execute();
  },
};
