import type { Kysely } from 'kysely';
import type { AuditInput } from '../audit/audit-log.js';
import { environmentStore } from '../environments/environment-store.js';
import { PitbossError } from '../errors.js';
import { changedEnvironments } from '../flags/flag-service.js';
import { flagStore } from '../flags/flag-store.js';
import type { MutationContext, Mutations } from '../mutation.js';
import { presetStore } from '../presets/preset-store.js';
import type { RolloutService } from '../rollouts/rollout-service.js';
import { segmentStore } from '../segments/segment-store.js';
import type { Tx } from '../storage/database.js';
import type { Schema } from '../storage/schema.js';
import { type DocumentDiagnostic, sortDocuments } from './document-kinds.js';
import { exportDocuments } from './export-documents.js';
import { readStoredState } from './gitops-store.js';
import { type Plan, planApply, type Step } from './plan.js';
import { planRollouts, type RolloutPlan, writeRollouts } from './rollout-documents.js';

export interface ApplyRequest {
  readonly documents: readonly unknown[];
  /** Archive flags, segments and presets the documents do not mention (never environments). */
  readonly prune?: boolean;
  /** Plan only: validate and compare, write nothing. */
  readonly dryRun?: boolean;
}

export interface ApplyResult {
  readonly plan: Plan;
  readonly dryRun: boolean;
  /** Warnings about the documents (an expired flag, say): they do not stop the apply. */
  readonly warnings: readonly DocumentDiagnostic[];
}

/**
 * Config as code: applies a set of documents (environments, segments, flags, presets) as the desired state, in
 * one audited transaction, and exports the stored state as documents. Items already as documented are not
 * written and leave no audit entry, so applying the same documents again is a no-op.
 *
 * Protected flags and presets are written directly, not through the approval gates: apply needs the admin role,
 * and the repository's review is where a change to them is approved.
 */
export class GitopsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly mutations: Mutations,
    /** Analysis templates and rollouts (`kind: AnalysisTemplate | ClusterAnalysisTemplate | Rollout`). */
    private readonly rollouts?: RolloutService,
  ) {}

  async apply(ctx: MutationContext, request: ApplyRequest): Promise<ApplyResult> {
    const sorted = sortDocuments(request.documents);
    const options = { prune: request.prune === true };
    if (request.dryRun === true) {
      const planned = planApply(await readStoredState(this.db), sorted, { ...options, now: new Date() });
      const rollouts = await planRollouts(this.db, sorted, this.rollouts);
      assertNoErrors([...planned.errors, ...rollouts.errors]);
      return { plan: withRollouts(planned.plan, rollouts), dryRun: true, warnings: planned.warnings };
    }
    // `via: gitops` is what lets these writes through GitOps-locked environments.
    const result = await this.mutations.run({ ...ctx, via: 'gitops' }, async (tx, now) => {
      const planned = planApply(await readStoredState(tx), sorted, { ...options, now });
      const rollouts = await planRollouts(tx, sorted, this.rollouts);
      assertNoErrors([...planned.errors, ...rollouts.errors]);
      const at = now.toISOString();
      for (const step of planned.steps) await write(tx, step, at);
      const rolloutAudit = await writeRollouts(tx, rollouts, now);
      return {
        result: {
          plan: withRollouts(planned.plan, rollouts),
          dryRun: false,
          warnings: planned.warnings,
          started: rollouts.starts.map((s) => s.rollout.name),
        },
        audit: [...planned.steps.map(auditOf), ...rolloutAudit],
        ...deliveredChanges(planned.steps),
      };
    });
    const { started, ...applied } = result;
    await this.rollouts?.kick(started);
    return applied;
  }

  /** The stored state as documents: environments, segments, flags, presets; applying them back changes nothing. */
  async export(): Promise<{ documents: Record<string, unknown>[]; version: number }> {
    const state = await readStoredState(this.db);
    return { documents: exportDocuments(state), version: state.version };
  }
}

async function write(tx: Tx, step: Step, at: string): Promise<void> {
  if (step.type === 'environment') {
    if (step.op === 'create') await environmentStore.insert(tx, step.after, at);
    else await environmentStore.update(tx, step.after);
  } else if (step.type === 'segment') {
    if (step.before === undefined) await segmentStore.insert(tx, step.after, at);
    else await segmentStore.update(tx, step.after, step.before.version, at, step.op === 'archive');
  } else if (step.type === 'flag') {
    if (step.before === undefined) await flagStore.insert(tx, step.after, at);
    else if (!(await flagStore.update(tx, step.after, step.before.version, at, step.op === 'archive')))
      throw changedDuringApply(step);
  } else if (step.before === undefined) {
    await presetStore.insert(tx, step.after, at);
  } else if (!(await presetStore.update(tx, step.after, step.before.version, at, step.op === 'archive'))) {
    throw changedDuringApply(step);
  }
}

/** Cannot happen under the write lock; if it does, the whole apply rolls back rather than half-apply. */
function changedDuringApply(step: Step): PitbossError {
  return new PitbossError('VERSION_CONFLICT', `${step.type} '${step.after.key}' changed during apply: retry`);
}

/** The same actions the per-item API writes, so a resource's history reads alike however it was changed. */
function auditOf(step: Step): AuditInput {
  const resource = `${step.type}:${step.after.key}`;
  if (step.type === 'environment') {
    return step.op === 'create'
      ? { action: 'environment.create', resource, after: step.after }
      : { action: 'environment.update', resource, before: step.before, after: step.after };
  }
  const model = (s: Step) =>
    s.type === 'flag'
      ? s.before?.flag
      : s.type === 'segment'
        ? s.before?.segment
        : s.type === 'preset'
          ? s.before?.preset
          : undefined;
  if (step.op === 'archive')
    return { action: `${step.type}.archive`, resource, before: model(step), after: null };
  // A create over an archived row revives it: `restore`, with the archived model as `before`. The preset API
  // has no restore (its actions are create, update, archive), so a revived preset is a `preset.create` whose
  // `before` is the archived preset.
  const revive = step.type === 'preset' ? 'create' : 'restore';
  const action = step.op === 'create' ? (step.before ? revive : 'create') : 'update';
  return { action: `${step.type}.${action}`, resource, before: model(step) ?? null, after: step.after };
}

/** Which environments' delivered configuration changed, so SSE streams of the others stay quiet. */
function deliveredChanges(steps: readonly Step[]): { environments?: readonly string[] | 'all' } {
  if (steps.some((s) => s.type === 'segment' || (s.type === 'environment' && s.op === 'create'))) {
    return { environments: 'all' };
  }
  const touched = new Set<string>();
  for (const s of steps) {
    if (s.type !== 'flag') continue;
    const envs =
      s.op === 'update' && s.before
        ? changedEnvironments(s.before.flag, s.after)
        : Object.keys(s.after.environments);
    for (const e of envs) touched.add(e);
  }
  return touched.size === 0 ? {} : { environments: [...touched] };
}

/** The plan with analysis templates and rollouts added: they are never archived (prune leaves them alone). */
function withRollouts(plan: Plan, rollouts: RolloutPlan): Plan {
  return {
    create: [...plan.create, ...rollouts.create],
    update: [...plan.update, ...rollouts.update],
    archive: plan.archive,
    unchanged: [...plan.unchanged, ...rollouts.unchanged],
  };
}

function assertNoErrors(errors: readonly DocumentDiagnostic[]): void {
  if (errors.length === 0) return;
  // In document order (stable): the shape check and the engine find problems in different passes.
  const sorted = [...errors].sort(
    (a, b) => (a.document ?? Number.MAX_SAFE_INTEGER) - (b.document ?? Number.MAX_SAFE_INTEGER),
  );
  const first = sorted[0]!;
  const where =
    first.document === undefined
      ? (first.resource ?? 'the documents')
      : `document ${first.document}${first.kind ? ` (${first.kind}${first.key ? ` ${first.key}` : ''})` : ''}`;
  const field = first.path.length > 0 ? `, field ${first.path.join('.')}` : '';
  throw new PitbossError(
    'VALIDATION_FAILED',
    `${errors.length} error(s), nothing applied; first: ${where}${field}: ${first.message}`,
    sorted,
  );
}
