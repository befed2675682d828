import { FlagService } from '../flags/flag-service.js';
import type { MutationContext } from '../mutation.js';
import type { Preset, PresetView } from '../presets/preset.js';
import { type PresetApplied, PresetService } from '../presets/preset-service.js';
import { presetStore } from '../presets/preset-store.js';
import type { ChangeKind } from './change-request.js';
import type { ChangeRequestService, Gated } from './change-request-service.js';
import { isProtectedPreset } from './protection.js';
import type { TransactionScope } from './transaction-scope.js';

/**
 * Four-eyes for presets. A protected preset (marked so, or touching a protected flag) is applied through a
 * change request unless it is an `emergency` preset, which applies at once like a kill switch. Because an
 * emergency preset skips approval when applied, writing a protected preset needs approval instead: otherwise
 * one editor could rewrite "return old payment" and apply it alone.
 */
export class PresetGate {
  constructor(private readonly requests: ChangeRequestService) {}

  create(ctx: MutationContext, body: unknown): Promise<Gated<PresetView>> {
    return this.gate(ctx, undefined, 'preset.create', { body }, (p) => p.create(ctx, body));
  }

  replace(ctx: MutationContext, key: string, body: unknown, version: number): Promise<Gated<PresetView>> {
    return this.gate(ctx, key, 'preset.replace', { body, version }, (p) =>
      p.replace(ctx, key, body, version),
    );
  }

  archive(ctx: MutationContext, key: string, version: number): Promise<Gated<PresetView>> {
    return this.gate(ctx, key, 'preset.archive', { version }, (p) => p.archive(ctx, key, version));
  }

  /**
   * Emergency presets apply at once (`via: 'preset'`: audited as emergency, past GitOps locks); other
   * protected ones are tried, rolled back and filed for approval of this version of the preset.
   */
  apply(ctx: MutationContext, key: string): Promise<Gated<PresetApplied>> {
    return this.requests.inScope(async (scope) => {
      const presets = services(scope);
      const view = await presets.get(key);
      if (view.preset.emergency) return { applied: await presets.apply({ ...ctx, via: 'preset' }, key) };
      const { result: applied, kept } = await scope.attempt(
        () => presets.apply(ctx, key, view.version),
        async () => !(await isProtectedPreset(scope.tx, view.preset, this.requests.policy)),
      );
      if (kept) return { applied };
      const input = {
        kind: 'preset.apply' as const,
        target: `preset:${key}`,
        payload: { version: view.version },
      };
      return { changeRequest: await this.requests.file(scope, ctx, input) };
    });
  }

  private gate(
    ctx: MutationContext,
    key: string | undefined,
    kind: ChangeKind,
    payload: Record<string, unknown>,
    change: (presets: PresetService) => Promise<PresetView>,
  ): Promise<Gated<PresetView>> {
    const policy = this.requests.policy;
    return this.requests.inScope(async (scope) => {
      const stored: Preset | undefined =
        key === undefined ? undefined : (await presetStore.get(scope.tx, key))?.preset;
      const { result: view, kept } = await scope.attempt(
        () => change(services(scope)),
        async (result) =>
          !(await isProtectedPreset(scope.tx, stored, policy)) &&
          !(await isProtectedPreset(scope.tx, result.preset, policy)),
      );
      if (kept) return { applied: view };
      const target = `preset:${view.preset.key}`;
      return { changeRequest: await this.requests.file(scope, ctx, { kind, target, payload }) };
    });
  }
}

function services(scope: TransactionScope): PresetService {
  return new PresetService(scope.tx, scope.mutations, new FlagService(scope.tx, scope.mutations));
}
