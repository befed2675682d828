import type { Diagnostic } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import type { AnalysisTemplate } from '../analysis/analysis-template.js';
import { readAnalysisTemplate } from '../analysis/read-analysis-template.js';
import { loadShippedTemplates } from '../analysis/shipped-templates.js';
import { type StoredTemplate, templateStore } from '../analysis/template-store.js';
import { fromRow } from '../audit/audit-entry.js';
import type { AuditInput } from '../audit/audit-log.js';
import { auditRows } from '../audit/audit-reader.js';
import { notFound, PitbossError } from '../errors.js';
import type { MutationContext, Mutations } from '../mutation.js';
import type { Tx } from '../storage/database.js';
import type { Schema } from '../storage/schema.js';
import { checkCommand, initialState } from './controller/step.js';
import { readRollout } from './read-rollout.js';
import { resolveRollout } from './resolve-rollout.js';
import type { ResolvedRollout, Rollout } from './rollout.js';
import type { Command, RolloutState } from './rollout-state.js';
import { rolloutStore } from './rollout-store.js';
import { type HistoryEntry, isSettled, type RolloutView, toHistoryEntry, toView } from './rollout-view.js';

/** The part of the driver the service needs: reconcile one rollout now (a start, a command), if it may. */
export interface RolloutReconciler {
  reconcile(name: string): Promise<void>;
}

/** `POST /api/v1/rollouts`: the rollout document, and analysis templates to store with it. */
export interface StartRequest {
  readonly rollout: unknown;
  readonly templates?: readonly unknown[];
}

export interface TemplateView {
  readonly name: string;
  readonly kind: StoredTemplate['kind'];
  readonly version: number;
  readonly template: AnalysisTemplate;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A rollout read and resolved, ready to start: what `start` and `pitboss apply` share. */
export interface PreparedRollout {
  readonly doc: unknown;
  readonly rollout: Rollout;
  readonly resolved: ResolvedRollout;
}

/**
 * Rollouts: start (validate, resolve templates, persist the initial state), status, commands, history; analysis
 * templates. Every write is one audited mutation. The service never drives a rollout: it hands it to the driver
 * (rollout-driver.ts), which owns the state from then on.
 */
export class RolloutService {
  private shippedTemplates: readonly AnalysisTemplate[] | undefined;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly mutations: Mutations,
    private readonly driver?: RolloutReconciler,
    private readonly shipped: () => readonly AnalysisTemplate[] = loadShippedTemplates,
  ) {}

  async listTemplates(): Promise<TemplateView[]> {
    return (await templateStore.list(this.db)).map(templateView);
  }

  /** Creates or replaces a template; an identical one is left alone (no write, no audit entry). */
  putTemplate(ctx: MutationContext, name: string, doc: unknown): Promise<TemplateView> {
    const { template, kind } = readTemplateDocument(doc, []);
    if (template.name !== name)
      throw invalid([
        error(['metadata', 'name'], 'CONFIG_TYPE', `the name is '${template.name}', not '${name}'`),
      ]);
    return this.mutations.run(ctx, async (tx, now) => {
      const { view, audit } = await upsertTemplate(tx, { kind, doc, template }, now.toISOString());
      return { result: view, audit };
    });
  }

  async list(): Promise<RolloutView[]> {
    const rows = await rolloutStore.list(this.db);
    return Promise.all(rows.map(async (r) => toView(r, await rolloutStore.pending(this.db, r.name))));
  }

  async status(name: string): Promise<RolloutView> {
    const stored = await rolloutStore.get(this.db, name);
    if (stored === undefined) throw notFound('rollout', name);
    return toView(stored, await rolloutStore.pending(this.db, name));
  }

  /**
   * Starts a rollout (revision + 1): refused while a run of the same name is still under way; finished
   * (`Healthy`) and rolled-back (`Aborted`) ones are replaced. Templates in the request are stored first.
   */
  async start(
    ctx: MutationContext,
    request: StartRequest,
    prefix: (string | number)[] = ['rollout'],
  ): Promise<RolloutView> {
    const templates = (request.templates ?? []).map((doc, i) => ({
      doc,
      ...readTemplateDocument(doc, ['templates', i]),
    }));
    const name = await this.mutations.run(ctx, async (tx, now) => {
      const at = now.toISOString();
      const audit: AuditInput[] = [];
      for (const t of templates) audit.push(...(await upsertTemplate(tx, t, at)).audit);
      const prepared = await this.prepare(tx, request.rollout, prefix);
      audit.push(await startPrepared(tx, prepared, now));
      return { result: prepared.rollout.name, audit };
    });
    await this.driver?.reconcile(name);
    return this.status(name);
  }

  /**
   * Reads and resolves a rollout document against the stored templates (shipped ones as a fallback by name;
   * `extra` ones, not stored yet, win). Diagnostics carry `prefix` + their path in the document.
   */
  async prepare(
    db: Kysely<Schema> | Tx,
    doc: unknown,
    prefix: (string | number)[],
    extra: readonly AnalysisTemplate[] = [],
  ): Promise<PreparedRollout> {
    const read = readRollout(doc);
    const errors = read.diagnostics.filter((d) => d.severity === 'error');
    if (read.rollout === undefined || errors.length > 0) throw invalid(prefixed(errors, prefix), 'rollout');
    // Read once: the shipped files do not change while the server runs.
    this.shippedTemplates ??= this.shipped();
    const templates = new Map(this.shippedTemplates.map((t) => [t.name, t]));
    for (const t of await templateStore.list(db)) templates.set(t.name, t.template);
    for (const t of extra) templates.set(t.name, t);
    const resolved = resolveRollout(read.rollout, templates);
    const problems = resolved.diagnostics.filter((d) => d.severity === 'error');
    if (resolved.resolved === undefined || problems.length > 0)
      throw invalid(prefixed(problems, prefix), 'rollout');
    return { doc, rollout: read.rollout, resolved: resolved.resolved };
  }

  /**
   * Queues an operator command, checked against the current state, audited with who gave it; then asks the driver
   * to reconcile at once, so the answer usually shows its effect (`queued` false). Another replica holding the
   * lease applies it at its next tick instead.
   */
  async command(
    ctx: MutationContext,
    name: string,
    command: Command,
  ): Promise<{ status: RolloutView; queued: boolean }> {
    const seq = await this.mutations.run(ctx, async (tx, now) => {
      const stored = await rolloutStore.get(tx, name);
      if (stored === undefined) throw notFound('rollout', name);
      const refusal = checkCommand(stored.state, command);
      if (refusal !== undefined) throw invalid([error(['command'], 'CONFIG_TYPE', refusal)]);
      const queued = await rolloutStore.enqueue(
        tx,
        {
          rollout: name,
          revision: stored.revision,
          command,
          principal: ctx.principal,
          ...(ctx.reason ? { reason: ctx.reason } : {}),
          ...(ctx.traceId ? { traceId: ctx.traceId } : {}),
        },
        now.toISOString(),
      );
      return {
        result: queued.seq,
        audit: [
          {
            action: 'rollout.command',
            resource: `rollout:${name}`,
            after: { ...summary(stored.state, stored.rollout), command },
          },
        ],
      };
    });
    await this.driver?.reconcile(name);
    const status = await this.status(name);
    return { status, queued: status.pendingCommands.some((p) => p.seq === seq) };
  }

  /** Hands freshly started rollouts to the driver (after `pitboss apply` committed them). */
  async kick(names: readonly string[]): Promise<void> {
    for (const name of names) await this.driver?.reconcile(name);
  }

  /** The rollout's audit entries, oldest first; `revision` keeps one run's. */
  async history(name: string, revision?: number): Promise<HistoryEntry[]> {
    if ((await rolloutStore.get(this.db, name)) === undefined) throw notFound('rollout', name);
    const entries: HistoryEntry[] = [];
    for await (const row of auditRows(this.db, { resource: `rollout:${name}` })) {
      const entry = toHistoryEntry(fromRow(row));
      if (revision === undefined || entry.revision === revision) entries.push(entry);
    }
    return entries;
  }
}

/**
 * Writes a prepared rollout as a new revision with its initial state, refusing while one of that name is under
 * way; returns its audit entry. Runs in the caller's transaction (the API's start, `pitboss apply`).
 */
export async function startPrepared(tx: Tx, prepared: PreparedRollout, now: Date): Promise<AuditInput> {
  const { rollout, resolved } = prepared;
  const current = await rolloutStore.get(tx, rollout.name);
  if (current !== undefined && !isSettled(current.state.phase)) {
    throw new PitbossError(
      'ALREADY_EXISTS',
      `rollout '${rollout.name}' is under way (${current.state.phase}, step ${current.state.stepIndex}): ` +
        'promote it to the end or abort it before starting it again',
    );
  }
  const revision = (current?.revision ?? 0) + 1;
  const state = initialState(resolved, revision, now);
  await rolloutStore.start(tx, { doc: prepared.doc, rollout, resolved, state }, now.toISOString());
  return {
    action: 'rollout.start',
    resource: `rollout:${rollout.name}`,
    after: { ...summary(state, rollout), rollout },
  };
}

/** The fields every audit entry of a rollout carries (docs/rollouts.md): history and metrics read them. */
export function summary(state: RolloutState, rollout: Rollout): Record<string, unknown> {
  return {
    revision: state.revision,
    phase: state.phase,
    stepIndex: state.stepIndex,
    version: rollout.route.canary.version,
    rollout_step: state.stepIndex,
    weight: state.route.weight,
    message: state.message,
  };
}

/** Reads an AnalysisTemplate / ClusterAnalysisTemplate document or refuses it with its diagnostics. */
export function readTemplateDocument(
  doc: unknown,
  prefix: (string | number)[],
): { template: AnalysisTemplate; kind: StoredTemplate['kind'] } {
  const read = readAnalysisTemplate(doc);
  const errors = read.diagnostics.filter((d) => d.severity === 'error');
  if (read.template === undefined || errors.length > 0)
    throw invalid(prefixed(errors, prefix), 'analysis template');
  const kind =
    (doc as { kind?: unknown }).kind === 'ClusterAnalysisTemplate'
      ? 'ClusterAnalysisTemplate'
      : 'AnalysisTemplate';
  return { template: read.template, kind };
}

/** Upserts a template unless it is stored exactly so; the audit entry says create or update. */
export async function upsertTemplate(
  tx: Tx,
  input: { kind: StoredTemplate['kind']; doc: unknown; template: AnalysisTemplate },
  at: string,
): Promise<{ view: TemplateView; audit: AuditInput[]; changed: boolean }> {
  const current = await templateStore.get(tx, input.template.name);
  if (
    current !== undefined &&
    current.kind === input.kind &&
    JSON.stringify(current.template) === JSON.stringify(input.template)
  )
    return { view: templateView(current), audit: [], changed: false };
  const { before, after } = await templateStore.upsert(tx, input, at);
  const resource = `analysis-template:${after.name}`;
  return {
    view: templateView(after),
    changed: true,
    audit: [
      before === undefined
        ? { action: 'analysis_template.create', resource, after: after.template }
        : { action: 'analysis_template.update', resource, before: before.template, after: after.template },
    ],
  };
}

function templateView(t: StoredTemplate): TemplateView {
  return {
    name: t.name,
    kind: t.kind,
    version: t.version,
    template: t.template,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

function prefixed(diagnostics: readonly Diagnostic[], prefix: (string | number)[]): Diagnostic[] {
  return diagnostics.map((d) => ({ ...d, path: [...prefix, ...d.path] }));
}

function error(path: (string | number)[], code: Diagnostic['code'], message: string): Diagnostic {
  return { severity: 'error', code, message, path };
}

function invalid(details: readonly Diagnostic[], what = 'request'): PitbossError {
  const first = details[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  return new PitbossError(
    'VALIDATION_FAILED',
    first ? `${where}${first.message}` : `invalid ${what}`,
    details,
  );
}
