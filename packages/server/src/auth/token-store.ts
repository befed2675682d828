import type { Kysely } from 'kysely';
import { notFound, PitbossError } from '../errors.js';
import type { MutationContext, Mutations } from '../mutation.js';
import type { Schema } from '../storage/schema.js';
import { isRole, type Principal, type Role } from './roles.js';
import { generateToken, generateTokenId, hashToken, type TokenKind, tokenKind } from './tokens.js';

export interface TokenInfo {
  readonly id: string;
  readonly name: string;
  readonly kind: TokenKind;
  readonly role: Role;
  readonly environment: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly revokedAt: string | null;
}

export interface NewToken {
  readonly name: string;
  readonly kind: TokenKind;
  /** For API tokens. SDK keys are read-only (they may also post decision logs). */
  readonly role?: Role;
  /** For SDK and client-side keys: the one environment they may read. */
  readonly environment?: string;
}

/** API tokens and SDK keys: issued once in clear, stored hashed, revocable. */
export class TokenService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly mutations: Mutations,
  ) {}

  /** The principal a bearer token stands for, or undefined for unknown and revoked tokens. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const kind = tokenKind(token);
    if (kind === undefined) return undefined;
    const row = await this.db
      .selectFrom('tokens')
      .selectAll()
      .where('hash', '=', hashToken(token))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (row === undefined || row.kind !== kind) return undefined;
    if (row.kind === 'sdk' || row.kind === 'client') {
      const environment = row.environment ?? '';
      return { kind: 'sdk', id: row.id, name: row.name, environment, clientSide: row.kind === 'client' };
    }
    return { kind: 'api', id: row.id, name: row.name, role: isRole(row.role) ? row.role : 'viewer' };
  }

  /** Creates a token and returns it in clear: the only time anyone sees it. */
  create(
    ctx: MutationContext,
    input: NewToken,
    clear = generateToken(input.kind),
  ): Promise<{ token: string; info: TokenInfo }> {
    if (
      input.kind !== 'api'
        ? input.environment === undefined || input.role !== undefined
        : input.role === undefined || input.environment !== undefined
    ) {
      const message =
        input.kind !== 'api'
          ? 'an SDK or client-side key needs an environment and no role'
          : 'an API token needs a role and no environment';
      throw new PitbossError('VALIDATION_FAILED', message, [
        { path: [input.kind !== 'api' ? 'environment' : 'role'], message },
      ]);
    }
    return this.mutations.run(ctx, async (tx, now) => {
      if (input.kind !== 'api') {
        const env = await tx
          .selectFrom('environments')
          .select('key')
          .where('key', '=', input.environment ?? '')
          .executeTakeFirst();
        if (env === undefined) throw notFound('environment', input.environment ?? '');
      }
      const info: TokenInfo = {
        id: generateTokenId(),
        name: input.name,
        kind: input.kind,
        role: input.kind !== 'api' ? 'viewer' : (input.role ?? 'viewer'),
        environment: input.kind !== 'api' ? (input.environment ?? null) : null,
        createdAt: now.toISOString(),
        createdBy: ctx.principal.name,
        revokedAt: null,
      };
      await tx
        .insertInto('tokens')
        .values({
          id: info.id,
          name: info.name,
          hash: hashToken(clear),
          kind: info.kind,
          role: info.role,
          environment: info.environment,
          created_at: info.createdAt,
          created_by: info.createdBy,
          revoked_at: null,
        })
        .execute();
      // The audit entry describes the token, never its value.
      return {
        result: { token: clear, info },
        audit: [{ action: 'token.create', resource: `token:${info.id}`, after: info }],
      };
    });
  }

  async list(): Promise<TokenInfo[]> {
    const rows = await this.db.selectFrom('tokens').selectAll().orderBy('created_at').execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      kind: r.kind as TokenKind,
      role: isRole(r.role) ? r.role : 'viewer',
      environment: r.environment,
      createdAt: r.created_at,
      createdBy: r.created_by,
      revokedAt: r.revoked_at,
    }));
  }

  revoke(ctx: MutationContext, id: string): Promise<void> {
    return this.mutations.run(ctx, async (tx, now) => {
      const row = await tx
        .selectFrom('tokens')
        .select(['id', 'revoked_at'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (row === undefined) throw notFound('token', id);
      if (row.revoked_at !== null)
        throw new PitbossError('VERSION_CONFLICT', `token '${id}' is already revoked`);
      await tx.updateTable('tokens').set({ revoked_at: now.toISOString() }).where('id', '=', id).execute();
      return { result: undefined, audit: [{ action: 'token.revoke', resource: `token:${id}` }] };
    });
  }

  /** Whether an active admin token exists (the first start creates one). */
  async hasAdmin(): Promise<boolean> {
    const row = await this.db
      .selectFrom('tokens')
      .select('id')
      .where('kind', '=', 'api')
      .where('role', '=', 'admin')
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async exists(token: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('tokens')
      .select('id')
      .where('hash', '=', hashToken(token))
      .executeTakeFirst();
    return row !== undefined;
  }
}
