import type { Kysely } from 'kysely';
import { readEnvironmentKeys, readFlags } from '../config/state.js';
import { notFound, PitbossError } from '../errors.js';
import type { FlagService, FlagView } from '../flags/flag-service.js';
import type { MutationContext, Mutations } from '../mutation.js';
import type { Tx } from '../storage/database.js';
import type { Schema } from '../storage/schema.js';
import {
  diffStates,
  type Preset,
  type PresetDiff,
  type PresetView,
  readPreset,
  unreachableStates,
} from './preset.js';
import { presetStore } from './preset-store.js';

/** What applying a preset did: the preset's version and the flags it changed (unchanged ones are left alone). */
export interface PresetApplied {
  readonly preset: string;
  readonly version: number;
  readonly emergency: boolean;
  readonly flags: readonly FlagView[];
}

/** What applying would change, before → after, and the flags or environments it cannot reach. Writes nothing. */
export interface PresetDryRun {
  readonly preset: string;
  readonly version: number;
  readonly changes: PresetDiff;
  readonly problems: readonly { flag: string; environment?: string; message: string }[];
}

/**
 * Presets: create, replace, archive, diff and apply. Whether a change needs approval is decided by the caller
 * (approvals/preset-gate.ts); this service only does it, each write one audited mutation.
 */
export class PresetService {
  constructor(
    private readonly db: Kysely<Schema> | Tx,
    private readonly mutations: Mutations,
    private readonly flags: FlagService,
  ) {}

  list(includeArchived = false): Promise<PresetView[]> {
    return presetStore.list(this.db, includeArchived);
  }

  async get(key: string): Promise<PresetView> {
    const view = await presetStore.get(this.db, key);
    if (view === undefined || view.archived) throw notFound('preset', key);
    return view;
  }

  create(ctx: MutationContext, body: unknown): Promise<PresetView> {
    const preset = readPreset(body);
    return this.mutations.run(ctx, async (tx, now) => {
      if (await presetStore.get(tx, preset.key))
        throw new PitbossError('ALREADY_EXISTS', `preset '${preset.key}' already exists`);
      await assertReachable(tx, preset);
      const at = now.toISOString();
      await presetStore.insert(tx, preset, at);
      return {
        result: { preset, version: 1, archived: false, createdAt: at, updatedAt: at },
        audit: [{ action: 'preset.create', resource: `preset:${preset.key}`, after: preset }],
      };
    });
  }

  /** Replaces the whole preset (its key cannot change). */
  replace(ctx: MutationContext, key: string, body: unknown, version: number): Promise<PresetView> {
    const preset = readPreset(body);
    if (preset.key !== key) {
      throw new PitbossError('VALIDATION_FAILED', `the key cannot change ('${key}' → '${preset.key}')`, [
        { path: ['key'], message: 'the key cannot change' },
      ]);
    }
    return this.write(ctx, key, version, 'preset.update', async (tx) => {
      await assertReachable(tx, preset);
      return preset;
    });
  }

  archive(ctx: MutationContext, key: string, version: number): Promise<PresetView> {
    return this.write(ctx, key, version, 'preset.archive', async (_tx, current) => current, true);
  }

  /** The dry run: per flag and environment, the fields that would change. */
  async diff(key: string): Promise<PresetDryRun> {
    const view = await this.get(key);
    const flags = new Map((await readFlags(this.db)).map((f) => [f.flag.key, f.flag]));
    return { preset: key, version: view.version, ...diffStates(view.preset.states, flags) };
  }

  /**
   * Applies every state in one transaction (FlagService.applyStates), with a `preset.apply` entry beside the
   * flags' own. `version`, when given, is the version that was approved: a preset edited since is refused.
   */
  async apply(ctx: MutationContext, key: string, version?: number): Promise<PresetApplied> {
    const view = await this.get(key);
    if (version !== undefined && view.version !== version) throw conflict(key, version, view.version);
    const emergency = ctx.via === 'preset';
    const flags = await this.flags.applyStates(ctx, view.preset.states, [
      {
        action: 'preset.apply',
        resource: `preset:${key}`,
        after: { version: view.version, emergency, states: view.preset.states },
      },
    ]);
    return { preset: key, version: view.version, emergency, flags };
  }

  private write(
    ctx: MutationContext,
    key: string,
    version: number,
    action: string,
    next: (tx: Tx, current: Preset) => Promise<Preset>,
    archive = false,
  ): Promise<PresetView> {
    return this.mutations.run(ctx, async (tx, now) => {
      const current = await presetStore.get(tx, key);
      if (current === undefined || current.archived) throw notFound('preset', key);
      if (current.version !== version) throw conflict(key, version, current.version);
      const preset = await next(tx, current.preset);
      const at = now.toISOString();
      if (!(await presetStore.update(tx, preset, version, at, archive)))
        throw conflict(key, version, current.version + 1);
      return {
        result: { ...current, preset, version: version + 1, archived: archive, updatedAt: at },
        audit: [
          { action, resource: `preset:${key}`, before: current.preset, after: archive ? null : preset },
        ],
      };
    });
  }
}

/** A preset may only name live flags and declared environments: a typo is caught when it is written. */
async function assertReachable(tx: Tx, preset: Preset): Promise<void> {
  const environments = new Set(await readEnvironmentKeys(tx));
  const flags = new Set((await readFlags(tx)).map((f) => f.flag.key));
  const details = unreachableStates(preset.states, flags, environments);
  if (details.length > 0) throw new PitbossError('VALIDATION_FAILED', details[0]!.message, details);
}

function conflict(key: string, expected: number, actual: number): PitbossError {
  return new PitbossError(
    'VERSION_CONFLICT',
    `preset '${key}' is at version ${actual}, not ${expected}: reload and retry`,
    { expected, actual },
  );
}
