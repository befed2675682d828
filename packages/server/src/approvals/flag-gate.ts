import type { Flag } from '@pitboss/engine';
import { type EnvironmentPatch, FlagService, type FlagView } from '../flags/flag-service.js';
import { flagStore } from '../flags/flag-store.js';
import type { MutationContext } from '../mutation.js';
import type { ChangeKind } from './change-request.js';
import type { ChangeRequestService, Gated } from './change-request-service.js';
import { isProtectedFlag } from './protection.js';

/**
 * Four-eyes between the flag routes and FlagService. Each change is done in a savepoint first — so it is
 * checked exactly as if applied (version, validity, locks) — then kept when the flag is unprotected before and
 * after, or rolled back and filed as a change request. Judging the submitted flag too means removing
 * `protected` or a protected tag needs approval as well.
 */
export class FlagGate {
  constructor(
    private readonly flags: FlagService,
    private readonly requests: ChangeRequestService,
  ) {}

  create(ctx: MutationContext, body: unknown): Promise<Gated<FlagView>> {
    return this.gate(ctx, undefined, 'flag.create', { body }, (f) => f.create(ctx, body));
  }

  replace(ctx: MutationContext, key: string, body: unknown, version: number): Promise<Gated<FlagView>> {
    return this.gate(ctx, key, 'flag.replace', { body, version }, (f) => f.replace(ctx, key, body, version));
  }

  patchEnvironment(
    ctx: MutationContext,
    key: string,
    env: string,
    patch: EnvironmentPatch,
    version: number,
  ): Promise<Gated<FlagView>> {
    return this.gate(ctx, key, 'flag.patch_environment', { env, patch, version }, (f) =>
      f.patchEnvironment(ctx, key, env, patch, version),
    );
  }

  archive(ctx: MutationContext, key: string, version: number): Promise<Gated<FlagView>> {
    return this.gate(ctx, key, 'flag.archive', { version }, (f) => f.archive(ctx, key, version));
  }

  /**
   * Turning a kill switch on is the safe direction: always at once (FlagService audits it as an emergency).
   * Turning it off re-exposes players, so on a protected flag it needs approval — except on an `ops` flag,
   * whose kill switch is the operator's lever both ways.
   */
  async setKillSwitch(ctx: MutationContext, key: string, env: string, on: boolean): Promise<Gated<FlagView>> {
    if (on) return { applied: await this.flags.setKillSwitch(ctx, key, env, true) };
    const policy = this.requests.policy;
    return this.gate(
      ctx,
      key,
      'flag.kill_switch',
      { env, on },
      (f) => f.setKillSwitch(ctx, key, env, false),
      (stored) => stored !== undefined && stored.kind !== 'ops' && isProtectedFlag(stored, policy),
    );
  }

  private gate(
    ctx: MutationContext,
    key: string | undefined,
    kind: ChangeKind,
    payload: Record<string, unknown>,
    change: (flags: FlagService) => Promise<FlagView>,
    needsApproval?: (stored: Flag | undefined, result: FlagView) => boolean,
  ): Promise<Gated<FlagView>> {
    const policy = this.requests.policy;
    const judge =
      needsApproval ??
      ((stored, result) => isProtectedFlag(stored, policy) || isProtectedFlag(result.flag, policy));
    return this.requests.inScope(async (scope) => {
      const stored = key === undefined ? undefined : (await flagStore.get(scope.tx, key))?.flag;
      const { result: view, kept } = await scope.attempt(
        () => change(new FlagService(scope.tx, scope.mutations)),
        (result) => !judge(stored, result),
      );
      if (kept) return { applied: view };
      const target = `flag:${view.flag.key}`;
      return { changeRequest: await this.requests.file(scope, ctx, { kind, target, payload }) };
    });
  }
}
