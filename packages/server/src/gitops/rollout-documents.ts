import type { Diagnostic } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import type { AnalysisTemplate } from '../analysis/analysis-template.js';
import { templateStore } from '../analysis/template-store.js';
import type { AuditInput } from '../audit/audit-log.js';
import { canonicalJson } from '../audit/canonical-json.js';
import { isPitbossError } from '../errors.js';
import {
  type PreparedRollout,
  type RolloutService,
  startPrepared,
  upsertTemplate,
} from '../rollouts/rollout-service.js';
import { rolloutStore } from '../rollouts/rollout-store.js';
import { isSettled } from '../rollouts/rollout-view.js';
import type { Tx } from '../storage/database.js';
import type { Schema } from '../storage/schema.js';
import { type Change, diffValues } from './diff-values.js';
import type {
  DocumentDiagnostic,
  RolloutDocument,
  SortedDocuments,
  TemplateDocument,
} from './document-kinds.js';

/** What `apply` does with analysis templates and rollouts, beside the plan of flags and the rest. */
export interface RolloutPlan {
  readonly create: string[];
  readonly update: { readonly resource: string; readonly changes: readonly Change[] }[];
  readonly unchanged: string[];
  readonly errors: readonly DocumentDiagnostic[];
  /** Templates to write (new or changed) and rollouts to start (new or with a changed spec). */
  readonly templates: readonly TemplateDocument[];
  readonly starts: readonly PreparedRollout[];
}

/**
 * Templates are upserted; a Rollout document starts its rollout when there is none of that name or its spec
 * changed (a new revision), and leaves it alone when unchanged — so re-applying a repository never restarts a
 * release, and a finished or aborted one stays as it is until its spec changes. A changed spec for a rollout
 * still under way is an error: abort or promote it first. Rollouts resolve their templates against the stored
 * ones, those in the documents, and the shipped ones.
 */
export async function planRollouts(
  db: Kysely<Schema> | Tx,
  docs: SortedDocuments,
  rollouts: RolloutService | undefined,
): Promise<RolloutPlan> {
  const plan = {
    create: [] as string[],
    update: [] as { resource: string; changes: Change[] }[],
    unchanged: [] as string[],
    errors: [] as DocumentDiagnostic[],
    templates: [] as TemplateDocument[],
    starts: [] as PreparedRollout[],
  };
  if (docs.templates.length + docs.rollouts.length === 0) return plan;
  for (const t of docs.templates) {
    const resource = `analysis-template:${t.template.name}`;
    const stored = await templateStore.get(db, t.template.name);
    if (stored === undefined) plan.create.push(resource);
    else if (stored.kind === t.kind && canonicalJson(stored.template) === canonicalJson(t.template)) {
      plan.unchanged.push(resource);
      continue;
    } else plan.update.push({ resource, changes: diffValues(stored.template, t.template) });
    plan.templates.push(t);
  }
  const extra: AnalysisTemplate[] = docs.templates.map((t) => t.template);
  for (const r of docs.rollouts) await planRollout(db, r, rollouts, extra, plan);
  return plan;
}

async function planRollout(
  db: Kysely<Schema> | Tx,
  r: RolloutDocument,
  rollouts: RolloutService | undefined,
  extra: readonly AnalysisTemplate[],
  plan: {
    create: string[];
    update: { resource: string; changes: Change[] }[];
    unchanged: string[];
    errors: DocumentDiagnostic[];
    starts: PreparedRollout[];
  },
): Promise<void> {
  const { name } = r.rollout;
  const resource = `rollout:${name}`;
  const problem = (d: Omit<Diagnostic, 'severity'>) =>
    plan.errors.push({ severity: 'error', ...d, document: r.index, kind: 'Rollout', key: name });
  if (rollouts === undefined) {
    problem({ code: 'CONFIG_TYPE', message: 'this server does not run rollouts', path: ['kind'] });
    return;
  }
  const stored = await rolloutStore.get(db, name);
  if (stored !== undefined && canonicalJson(stored.rollout) === canonicalJson(r.rollout)) {
    plan.unchanged.push(resource);
    return;
  }
  if (stored !== undefined && !isSettled(stored.state.phase)) {
    problem({
      code: 'CONFIG_TYPE',
      message: `rollout '${name}' is under way (${stored.state.phase}, step ${stored.state.stepIndex}); promote or abort it before applying a changed spec`,
      path: ['spec'],
    });
    return;
  }
  try {
    plan.starts.push(await rollouts.prepare(db, r.doc, [], extra));
  } catch (e) {
    if (!isPitbossError(e) || !Array.isArray(e.details)) throw e;
    for (const d of e.details as Diagnostic[]) problem(d);
    return;
  }
  if (stored === undefined) plan.create.push(resource);
  else plan.update.push({ resource, changes: diffValues(stored.rollout, r.rollout) });
}

/** Writes the plan in the apply's transaction: templates first, then the starts; returns their audit entries. */
export async function writeRollouts(tx: Tx, plan: RolloutPlan, now: Date): Promise<AuditInput[]> {
  const audit: AuditInput[] = [];
  const at = now.toISOString();
  for (const t of plan.templates) audit.push(...(await upsertTemplate(tx, t, at)).audit);
  for (const prepared of plan.starts) audit.push(await startPrepared(tx, prepared, now));
  return audit;
}
