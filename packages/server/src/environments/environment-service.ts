import { DEFAULT_ENVIRONMENTS } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import { notFound, PitbossError } from '../errors.js';
import type { MutationContext, Mutations } from '../mutation.js';
import type { Tx } from '../storage/database.js';
import type { Schema } from '../storage/schema.js';
import { environmentStore } from './environment-store.js';

export interface Environment {
  readonly key: string;
  readonly position: number;
  readonly description: string | null;
  readonly gitopsLocked: boolean;
  readonly createdAt: string;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Environments in promotion order (dev → stage → canary → prod by default). */
export class EnvironmentService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly mutations: Mutations,
  ) {}

  async list(): Promise<Environment[]> {
    const rows = await this.db.selectFrom('environments').selectAll().orderBy('position').execute();
    return rows.map(toEnvironment);
  }

  create(ctx: MutationContext, input: { key: string; description?: string }): Promise<Environment> {
    if (!KEY.test(input.key)) {
      throw new PitbossError('VALIDATION_FAILED', `environment key '${input.key}' is not a valid key`, [
        { path: ['key'], message: 'letters, digits, _ - . ; at most 128' },
      ]);
    }
    return this.mutations.run(ctx, async (tx, now) => {
      if (await find(tx, input.key))
        throw new PitbossError('ALREADY_EXISTS', `environment '${input.key}' already exists`);
      const row = { key: input.key, description: input.description ?? null, gitopsLocked: false };
      const createdAt = now.toISOString();
      const env: Environment = {
        ...row,
        position: await environmentStore.insert(tx, row, createdAt),
        createdAt,
      };
      return {
        result: env,
        audit: [{ action: 'environment.create', resource: `environment:${env.key}`, after: env }],
        environments: [env.key],
      };
    });
  }

  update(
    ctx: MutationContext,
    key: string,
    patch: { description?: string; gitopsLocked?: boolean },
  ): Promise<Environment> {
    return this.mutations.run(ctx, async (tx) => {
      const before = await find(tx, key);
      if (before === undefined) throw notFound('environment', key);
      const after: Environment = {
        ...before,
        ...(patch.description === undefined ? {} : { description: patch.description }),
        ...(patch.gitopsLocked === undefined ? {} : { gitopsLocked: patch.gitopsLocked }),
      };
      await environmentStore.update(tx, after);
      return {
        result: after,
        audit: [{ action: 'environment.update', resource: `environment:${key}`, before, after }],
      };
    });
  }

  /** The first start creates dev, stage, canary and prod. */
  async ensureDefaults(ctx: MutationContext): Promise<void> {
    if ((await this.list()).length > 0) return;
    for (const key of DEFAULT_ENVIRONMENTS) await this.create(ctx, { key });
  }
}

async function find(tx: Tx, key: string): Promise<Environment | undefined> {
  const row = await tx.selectFrom('environments').selectAll().where('key', '=', key).executeTakeFirst();
  return row === undefined ? undefined : toEnvironment(row);
}

function toEnvironment(row: Schema['environments']): Environment {
  return {
    key: row.key,
    position: row.position,
    description: row.description,
    gitopsLocked: row.gitops_locked === 1,
    createdAt: row.created_at,
  };
}

/** Refuses a manual change to GitOps-locked environments; `pitboss apply` (via gitops) and kill switches pass. */
export async function assertUnlocked(
  tx: Tx,
  ctx: MutationContext,
  environments: readonly string[],
): Promise<void> {
  if (ctx.via === 'gitops' || environments.length === 0) return;
  const locked = await tx
    .selectFrom('environments')
    .select('key')
    .where('key', 'in', [...environments])
    .where('gitops_locked', '=', 1)
    .execute();
  if (locked.length > 0) {
    const keys = locked.map((r) => r.key);
    throw new PitbossError(
      'GITOPS_LOCKED',
      `environment(s) ${keys.join(', ')} take changes only through pitboss apply`,
      { environments: keys },
    );
  }
}
