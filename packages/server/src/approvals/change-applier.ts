import { type EnvironmentPatch, FlagService } from '../flags/flag-service.js';
import type { MutationContext } from '../mutation.js';
import { PresetService } from '../presets/preset-service.js';
import type { ChangeKind } from './change-request.js';
import type { TransactionScope } from './transaction-scope.js';

/** What a change did, and the resource it turned out to touch (a create's body names its own key). */
export interface AppliedChange {
  readonly target: string;
  readonly result: unknown;
  /** The version of the resource after the change, when it has one. */
  readonly version?: number;
}

/**
 * Does the change a request holds, through the same service methods the routes use, inside `scope`'s
 * transaction: so an approved change is validated, version-checked and audited exactly like a direct one.
 */
export async function applyChange(
  scope: TransactionScope,
  ctx: MutationContext,
  kind: ChangeKind,
  payload: Readonly<Record<string, unknown>>,
  key: string,
): Promise<AppliedChange> {
  const flags = new FlagService(scope.tx, scope.mutations);
  const presets = new PresetService(scope.tx, scope.mutations, flags);
  const version = payload.version as number;
  const env = payload.env as string;
  const flag = (v: Awaited<ReturnType<FlagService['get']>>): AppliedChange => ({
    target: `flag:${v.flag.key}`,
    result: v,
    version: v.version,
  });
  const preset = (v: Awaited<ReturnType<PresetService['get']>>): AppliedChange => ({
    target: `preset:${v.preset.key}`,
    result: v,
    version: v.version,
  });
  switch (kind) {
    case 'flag.create':
      return flag(await flags.create(ctx, payload.body));
    case 'flag.replace':
      return flag(await flags.replace(ctx, key, payload.body, version));
    case 'flag.patch_environment':
      return flag(await flags.patchEnvironment(ctx, key, env, payload.patch as EnvironmentPatch, version));
    case 'flag.archive':
      return flag(await flags.archive(ctx, key, version));
    case 'flag.kill_switch':
      return flag(await flags.setKillSwitch(ctx, key, env, payload.on as boolean));
    case 'preset.create':
      return preset(await presets.create(ctx, payload.body));
    case 'preset.replace':
      return preset(await presets.replace(ctx, key, payload.body, version));
    case 'preset.archive':
      return preset(await presets.archive(ctx, key, version));
    case 'preset.apply': {
      const applied = await presets.apply(ctx, key, version);
      return { target: `preset:${applied.preset}`, result: applied };
    }
  }
}

/** The key inside a target: `flag:payments_v2` → `payments_v2`. */
export function keyOf(target: string): string {
  return target.slice(target.indexOf(':') + 1);
}
