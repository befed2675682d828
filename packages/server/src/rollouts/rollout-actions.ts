import type { EnvironmentConfig, Rule } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import { actorOf, type Principal } from '../auth/roles.js';
import { PitbossError } from '../errors.js';
import type { FlagService } from '../flags/flag-service.js';
import type { RouteSpec, TrafficRouter } from '../routing/router.js';
import type { Schema } from '../storage/schema.js';
import type { Action } from './rollout-state.js';

/** Who the controller's own writes (flag rollouts) are audited as: `system:controller`. */
export const CONTROLLER: Principal = { kind: 'system', id: 'system', name: 'controller' };

/**
 * Carries out one action. Every action is idempotent — the same routing set again, a flag rollout set to the
 * value it already has (no write, no audit entry) — so replaying an outbox after a crash is harmless.
 */
export async function carryOut(
  action: Action,
  deps: {
    router: TrafficRouter;
    route: RouteSpec;
    flags?: FlagService;
    db: Kysely<Schema>;
    rollout: string;
    revision: number;
    stepIndex: number;
    /** Called between the router calls (the crash-safety test kills the process there). */
    boundary?: (label: string) => void;
  },
): Promise<void> {
  if (action.kind === 'route') {
    const route: RouteSpec = { ...deps.route, rolloutStep: deps.stepIndex };
    // Weight first: on a rollback it is what takes players off the canary; segment and mirror follow.
    await deps.router.setWeight(route, action.route.weight);
    deps.boundary?.('router:setWeight');
    await deps.router.setSegment(route, action.route.segment);
    deps.boundary?.('router:setSegment');
    await deps.router.setMirror(route, action.route.mirror);
    return;
  }
  if (deps.flags === undefined) throw new PitbossError('UNAVAILABLE', 'no flag service to set flags with');
  const by = `rollout ${deps.rollout} revision ${deps.revision}`;
  if (action.kind === 'setFlag') await setFlagRollout(deps.flags, action, `${by} step ${deps.stepIndex}`);
  else await restoreFlag(deps.flags, deps.db, action, by);
}

/**
 * Puts a flag's environment back as it was before this revision's first `setFlag` on it: the `before` of the
 * first `flag.apply_states` entry the controller wrote for it (its reason starts `rollout <name> revision <n>`).
 * The audit log is the record that survives crashes and replicas; no entry means the rollout never changed the
 * flag, and there is nothing to undo. Idempotent: restoring twice writes once.
 */
export async function restoreFlag(
  flags: FlagService,
  db: Kysely<Schema>,
  action: Extract<Action, { kind: 'restoreFlag' }>,
  by: string,
): Promise<void> {
  const prefix = `${by} step `;
  const rows = await db
    .selectFrom('audit_log')
    .select(['reason', 'before'])
    .where('resource', '=', `flag:${action.flag}`)
    .where('action', '=', 'flag.apply_states')
    .where('actor', '=', actorOf(CONTROLLER))
    .where('reason', 'like', `${prefix}%`)
    .orderBy('seq')
    .execute();
  // LIKE treats `_` in a rollout name as a wildcard: keep exact prefixes only, and the first that moved this env.
  for (const row of rows) {
    if (!row.reason?.startsWith(prefix) || row.before === null) continue;
    const before = (JSON.parse(row.before) as Record<string, Partial<EnvironmentConfig>>)[action.environment];
    if (before === undefined) continue;
    await flags.applyStates(
      { principal: CONTROLLER, via: 'api', reason: `${by} rolled back` },
      { [action.flag]: { [action.environment]: before } },
    );
    return;
  }
}

/**
 * Moves a flag's rollout in one environment through the flag service, so the change is validated, audited
 * (actor `system:controller`) and delivered to SDKs like any other. The rollout lives in the environment's
 * unconditional percentage rule (the last rule without `if` that has a `rollout`), added when there is none;
 * the environment is enabled. `rollout` is a fraction 0–1, as in flag rules (rollouts/read-steps.ts).
 */
export async function setFlagRollout(
  flags: FlagService,
  action: Extract<Action, { kind: 'setFlag' }>,
  reason: string,
): Promise<void> {
  const view = await flags.get(action.flag);
  const env = view.flag.environments[action.environment];
  if (env === undefined)
    throw new PitbossError('NOT_FOUND', `flag '${action.flag}' has no environment '${action.environment}'`);
  const fraction = Math.min(1, Math.max(0, action.rollout));
  const rules: Rule[] = [...env.rules];
  let index = -1;
  for (let i = rules.length - 1; i >= 0; i--) {
    if (rules[i]!.if === undefined && rules[i]!.rollout !== undefined) {
      index = i;
      break;
    }
  }
  if (index === -1) rules.push({ rollout: fraction });
  else rules[index] = { ...rules[index]!, rollout: fraction };
  await flags.applyStates(
    { principal: CONTROLLER, via: 'api', reason },
    { [action.flag]: { [action.environment]: { enabled: true, rules } } },
  );
}
