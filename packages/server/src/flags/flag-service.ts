import { type Diagnostic, type EnvironmentConfig, type Flag, loadConfig } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import type { AuditInput } from '../audit/audit-log.js';
import { readEnvironmentKeys, readFlags, readSegments, type StoredFlag } from '../config/state.js';
import { assertValid } from '../config/validate.js';
import { assertUnlocked } from '../environments/environment-service.js';
import { notFound, PitbossError } from '../errors.js';
import type { MutationContext, Mutations } from '../mutation.js';
import type { Tx } from '../storage/database.js';
import type { Schema } from '../storage/schema.js';
import { flagStore } from './flag-store.js';

/** The fields of one environment a PATCH may change. */
export type EnvironmentPatch = Partial<Record<keyof EnvironmentConfig, unknown>>;

/** Environment fields of many flags at once: flag key → environment → fields (a preset's states). */
export type FlagStates = Readonly<Record<string, Readonly<Record<string, EnvironmentPatch>>>>;

export interface FlagView {
  readonly flag: Flag;
  readonly version: number;
  readonly archived: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Flags: create, replace, change one environment, flip a kill switch, archive. Every input goes through the
 * engine's loader and checker; every write is one audited mutation, conditional on the version the caller read.
 */
export class FlagService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly mutations: Mutations,
  ) {}

  list(includeArchived = false): Promise<FlagView[]> {
    return flagStore.list(this.db, includeArchived);
  }

  async get(key: string): Promise<FlagView> {
    const stored = await flagStore.get(this.db, key);
    if (stored === undefined) throw notFound('flag', key);
    return stored;
  }

  create(ctx: MutationContext, body: unknown): Promise<FlagView> {
    return this.mutations.run(ctx, async (tx, now) => {
      const environments = await readEnvironmentKeys(tx);
      const at = now.toISOString();
      const authored = withCreatedAt(body, at);
      const flag = normalise(authored, environments);
      if (await flagStore.get(tx, flag.key)) {
        throw new PitbossError('ALREADY_EXISTS', `flag '${flag.key}' already exists`);
      }
      await assertUnlocked(tx, ctx, environments);
      await this.validate(tx, flag.key, authored);
      await flagStore.insert(tx, flag, at);
      const view: FlagView = { flag, version: 1, archived: false, createdAt: at, updatedAt: at };
      return {
        result: view,
        audit: [{ action: 'flag.create', resource: `flag:${flag.key}`, after: flag }],
        environments,
      };
    });
  }

  /** Replaces the whole flag (its key cannot change). */
  replace(ctx: MutationContext, key: string, body: unknown, version: number): Promise<FlagView> {
    return this.change(ctx, key, version, 'flag.update', async (tx, current) => {
      const environments = await readEnvironmentKeys(tx);
      const authored = withCreatedAt(body, current.flag.createdAt ?? current.createdAt);
      const flag = normalise(authored, environments);
      if (flag.key !== key)
        throw validation(['key'], 'CONFIG_TYPE', `the key cannot change ('${key}' → '${flag.key}')`);
      return { flag, authored };
    });
  }

  /** Changes some fields of one environment: enabled, killSwitch, rules, defaultVariant, offVariant, prerequisites. */
  patchEnvironment(
    ctx: MutationContext,
    key: string,
    env: string,
    patch: EnvironmentPatch,
    version: number,
  ): Promise<FlagView> {
    return this.change(ctx, key, version, 'flag.update_environment', async (tx, current) => {
      const environments = await readEnvironmentKeys(tx);
      if (!environments.includes(env)) throw notFound('environment', env);
      const merged = { ...current.flag.environments[env], ...patch };
      const authored = { ...current.flag, environments: { ...current.flag.environments, [env]: merged } };
      return {
        flag: normalise(authored, environments, ['environments', env]),
        authored,
        bodyPrefix: ['environments', env],
      };
    });
  }

  /**
   * The emergency brake: no version needed, one small write. Turning a kill switch on is always allowed; the
   * audit entry records it as an emergency action.
   */
  setKillSwitch(ctx: MutationContext, key: string, env: string, on: boolean): Promise<FlagView> {
    return this.mutations.run(ctx, async (tx, now) => {
      const current = await flagStore.get(tx, key);
      if (current === undefined || current.archived) throw notFound('flag', key);
      const config = current.flag.environments[env];
      if (config === undefined) throw notFound('environment', env);
      const flag: Flag = {
        ...current.flag,
        environments: { ...current.flag.environments, [env]: { ...config, killSwitch: on } },
      };
      const at = now.toISOString();
      await flagStore.update(tx, flag, current.version, at);
      const view: FlagView = { ...current, flag, version: current.version + 1, updatedAt: at };
      return {
        result: view,
        audit: [
          {
            action: 'flag.kill_switch',
            resource: `flag:${key}`,
            before: { environment: env, killSwitch: config.killSwitch },
            after: { environment: env, killSwitch: on, emergency: true },
          },
        ],
        environments: [env],
      };
    });
  }

  archive(ctx: MutationContext, key: string, version: number): Promise<FlagView> {
    return this.change(
      ctx,
      key,
      version,
      'flag.archive',
      async (_tx, current) => ({ flag: current.flag, authored: current.flag }),
      true,
    );
  }

  /**
   * Patches environments of many flags in ONE transaction: every flag is loaded, merged and validated, and any
   * missing flag or environment or invalid state refuses the whole set, so nothing is half applied. `also` are
   * the caller's own audit entries (a preset's `preset.apply`), committed with the flags. `via: 'preset'` is an
   * emergency preset: like a kill switch it passes GitOps locks, and its entries say `emergency: true`.
   */
  applyStates(
    ctx: MutationContext,
    states: FlagStates,
    also: readonly AuditInput[] = [],
  ): Promise<FlagView[]> {
    return this.mutations.run(ctx, async (tx, now) => {
      const environments = await readEnvironmentKeys(tx);
      const at = now.toISOString();
      const views: FlagView[] = [];
      const audit: AuditInput[] = [];
      const touched = new Set<string>();
      for (const [key, patches] of Object.entries(states)) {
        const current = await flagStore.get(tx, key);
        if (current === undefined || current.archived) throw notFound('flag', key);
        const merged: Record<string, unknown> = { ...current.flag.environments };
        const before: Record<string, Record<string, unknown>> = {};
        for (const [env, patch] of Object.entries(patches)) {
          const config = current.flag.environments[env];
          if (!environments.includes(env) || config === undefined) throw notFound('environment', env);
          before[env] = Object.fromEntries(
            Object.keys(patch).map((f) => [f, config[f as keyof EnvironmentConfig] ?? null]),
          );
          merged[env] = { ...config, ...patch };
        }
        const authored = { ...current.flag, environments: merged };
        const flag = normalise(authored, environments, ['states', key]);
        const changed = changedEnvironments(current.flag, flag);
        if (changed.length === 0) continue;
        if (ctx.via !== 'preset') await assertUnlocked(tx, ctx, changed);
        await this.validate(tx, key, authored, ['states', key]);
        if (!(await flagStore.update(tx, flag, current.version, at)))
          throw conflict(key, current.version, current.version + 1);
        views.push({ ...current, flag, version: current.version + 1, updatedAt: at });
        for (const e of changed) touched.add(e);
        audit.push({
          action: 'flag.apply_states',
          resource: `flag:${key}`,
          before,
          after: { ...patches, ...(ctx.via === 'preset' ? { emergency: true } : {}) },
        });
      }
      return { result: views, audit: [...audit, ...also], environments: [...touched] };
    });
  }

  /** Read-check-write of one flag at `version`, audited as `action`. */
  private change(
    ctx: MutationContext,
    key: string,
    version: number,
    action: string,
    next: (
      tx: Tx,
      current: StoredFlag,
    ) => Promise<{ flag: Flag; authored: unknown; bodyPrefix?: (string | number)[] }>,
    archive = false,
  ): Promise<FlagView> {
    return this.mutations.run(ctx, async (tx, now) => {
      const current = await flagStore.get(tx, key);
      if (current === undefined || current.archived) throw notFound('flag', key);
      if (current.version !== version) throw conflict(key, version, current.version);
      const { flag, authored, bodyPrefix } = await next(tx, current);
      await assertUnlocked(
        tx,
        ctx,
        archive ? Object.keys(flag.environments) : changedEnvironments(current.flag, flag),
      );
      if (!archive) await this.validate(tx, key, authored, bodyPrefix);
      const at = now.toISOString();
      if (!(await flagStore.update(tx, flag, version, at, archive)))
        throw conflict(key, version, current.version + 1);
      const view: FlagView = {
        flag,
        version: version + 1,
        archived: archive,
        createdAt: current.createdAt,
        updatedAt: at,
      };
      return {
        result: view,
        audit: [{ action, resource: `flag:${key}`, before: current.flag, after: archive ? null : flag }],
        environments: Object.keys(flag.environments),
      };
    });
  }

  /**
   * The flag as the caller wrote it, against the stored segments and the other flags (prerequisites, segment
   * references): diagnostics come back with paths into the caller's body, once per rule even when it is shared.
   */
  private async validate(
    tx: Tx,
    key: string,
    authored: unknown,
    bodyPrefix: (string | number)[] = [],
  ): Promise<void> {
    const [environments, segments, flags] = await Promise.all([
      readEnvironmentKeys(tx),
      readSegments(tx),
      readFlags(tx),
    ]);
    const others = Object.fromEntries(
      flags.filter((f) => f.flag.key !== key).map((f) => [f.flag.key, f.flag]),
    );
    assertValid(
      { environments, segments: segments.map((s) => s.segment), flags: { ...others, [key]: authored } },
      { flags: [key] },
      bodyPrefix,
    );
  }
}

/** Environments whose behaviour differs between two versions of a flag (all of them when variants change). */
export function changedEnvironments(before: Flag, after: Flag): string[] {
  const envs = new Set([...Object.keys(before.environments), ...Object.keys(after.environments)]);
  const shared = (f: Flag) => JSON.stringify([f.variants, f.stickiness, f.salt]);
  if (shared(before) !== shared(after)) return [...envs];
  return [...envs].filter(
    (e) => JSON.stringify(before.environments[e]) !== JSON.stringify(after.environments[e]),
  );
}

/** Reads an authored flag (any form the engine accepts) into the model, or refuses it with the loader's diagnostics. */
function normalise(body: unknown, environments: readonly string[], prefix: (string | number)[] = []): Flag {
  const { config, diagnostics } = loadConfig({ environments, flags: [body] });
  // Loaded alone, every prerequisite names a flag "that does not exist": those are checked by `validate`,
  // against the stored flags, with the rest of the cross-flag checks.
  const errors = diagnostics.filter((d) => d.severity === 'error' && d.code !== 'FLAG_UNKNOWN_PREREQUISITE');
  const flag = config.flags[0];
  if (errors.length > 0 || flag === undefined) {
    const details = errors.map((d) => ({ ...d, path: [...prefix, ...d.path.slice(2)] }));
    throw new PitbossError('VALIDATION_FAILED', details[0]?.message ?? 'invalid flag', details);
  }
  return flag;
}

/** New flags get a creation time, so their expiry defaults by kind (release 40 days, ops 7, permission never). */
function withCreatedAt(body: unknown, at: string | undefined): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || at === undefined) return body;
  return 'createdAt' in body ? body : { ...body, createdAt: at };
}

function conflict(key: string, expected: number, actual: number): PitbossError {
  return new PitbossError(
    'VERSION_CONFLICT',
    `flag '${key}' is at version ${actual}, not ${expected}: reload and retry`,
    {
      expected,
      actual,
    },
  );
}

function validation(path: (string | number)[], code: Diagnostic['code'], message: string): PitbossError {
  return new PitbossError('VALIDATION_FAILED', message, [{ severity: 'error', code, message, path }]);
}
