import { type Flag, loadConfig, type Segment } from '@pitboss/engine';
import type { StoredFlag, StoredSegment } from '../config/state.js';
import { type Preset, type PresetView, unreachableStates } from '../presets/preset.js';
import { checkFinalState } from './check-final-state.js';
import { type Change, diffValues } from './diff-values.js';
import type { DocumentDiagnostic, PresetDocument, SortedDocuments } from './document-kinds.js';
import type { EnvironmentState, StoredState } from './gitops-store.js';

/**
 * What `apply` does, resource by resource (`flag:payments_v2`): environments, then segments, then flags, then
 * presets (a preset names flags, so it comes after them).
 */
export interface Plan {
  readonly create: string[];
  readonly update: { readonly resource: string; readonly changes: readonly Change[] }[];
  readonly archive: string[];
  readonly unchanged: string[];
}

/** One write of the plan. `before` is the stored row, also when it is archived and a `create` revives it. */
export type Step =
  | {
      readonly type: 'environment';
      readonly op: 'create' | 'update';
      readonly before?: EnvironmentState;
      readonly after: EnvironmentState;
    }
  | { readonly type: 'segment'; readonly op: Op; readonly before?: StoredSegment; readonly after: Segment }
  | { readonly type: 'flag'; readonly op: Op; readonly before?: StoredFlag; readonly after: Flag }
  | { readonly type: 'preset'; readonly op: Op; readonly before?: PresetView; readonly after: Preset };
type Op = 'create' | 'update' | 'archive';

export interface Planned {
  readonly plan: Plan;
  readonly steps: readonly Step[];
  readonly errors: readonly DocumentDiagnostic[];
  readonly warnings: readonly DocumentDiagnostic[];
}

/**
 * Compares the documents with the stored state. Models are compared, not text: each flag document is read by
 * the engine's loader into the model the server stores, so key order, shorthands (top-level rules shared by
 * environments) and defaults written out or left implicit all compare equal. That is what makes `apply`
 * idempotent and `export` → `apply` a no-op.
 */
export function planApply(
  state: StoredState,
  docs: SortedDocuments,
  options: { prune: boolean; now: Date },
): Planned {
  const plan: Plan = { create: [], update: [], archive: [], unchanged: [] };
  const steps: Step[] = [];
  const record = (step: Step, resource: string, changes: readonly Change[] = []) => {
    if (step.op === 'update' && changes.length === 0) {
      plan.unchanged.push(resource);
      return;
    }
    steps.push(step);
    if (step.op === 'update') plan.update.push({ resource, changes });
    else plan[step.op].push(resource);
  };

  const environments = state.environments.map((e) => e.key);
  for (const doc of docs.environments) {
    const before = state.environments.find((e) => e.key === doc.key);
    const after: EnvironmentState = {
      key: doc.key,
      description: doc.description ?? before?.description ?? null,
      gitopsLocked: doc.gitopsLocked ?? before?.gitopsLocked ?? false,
    };
    if (before === undefined) environments.push(doc.key);
    const step = before
      ? ({ type: 'environment', op: 'update', before, after } as const)
      : ({ type: 'environment', op: 'create', after } as const);
    record(step, `environment:${doc.key}`, before ? diffValues(before, after) : []);
  }

  const segments = new Map(active(state.segments).map((s) => [s.segment.key, s.segment]));
  const currentSegments = new Map(segments);
  for (const { segment } of docs.segments) {
    const before = state.segments.find((s) => s.segment.key === segment.key);
    const op = before === undefined || before.archived ? 'create' : 'update';
    record(
      { type: 'segment', op, ...(before ? { before } : {}), after: segment },
      `segment:${segment.key}`,
      op === 'update' ? diffValues(before!.segment, segment) : [],
    );
    segments.set(segment.key, segment);
  }
  if (options.prune) {
    const named = new Set(docs.segments.map((d) => d.segment.key));
    for (const s of active(state.segments).filter((s) => !named.has(s.segment.key))) {
      record({ type: 'segment', op: 'archive', before: s, after: s.segment }, `segment:${s.segment.key}`);
      segments.delete(s.segment.key);
    }
  }

  const flags = new Map<string, Flag | Readonly<Record<string, unknown>>>(
    active(state.flags).map((f) => [f.flag.key, f.flag]),
  );
  const currentFlags = new Map(flags);
  const at = options.now.toISOString();
  for (const doc of docs.flags) {
    const before = state.flags.find((f) => f.flag.key === doc.key);
    const live = before !== undefined && !before.archived;
    // A document without createdAt keeps the stored creation time, so its default expiry does not move.
    const authored =
      'createdAt' in doc.authored
        ? doc.authored
        : { ...doc.authored, createdAt: live ? (before.flag.createdAt ?? before.createdAt) : at };
    flags.set(doc.key, authored);
    const after = normalise(authored, environments);
    if (after === undefined) continue; // no usable key: the final-state check reports why
    record(
      { type: 'flag', op: live ? 'update' : 'create', ...(before ? { before } : {}), after },
      `flag:${doc.key}`,
      live ? diffValues(before.flag, after) : [],
    );
  }
  if (options.prune) {
    const named = new Set(docs.flags.map((d) => d.key));
    for (const f of active(state.flags).filter((f) => !named.has(f.flag.key))) {
      record({ type: 'flag', op: 'archive', before: f, after: f.flag }, `flag:${f.flag.key}`);
      flags.delete(f.flag.key);
    }
  }

  // Presets are compared as the presets module reads them (defaults filled in), like the stored rows it wrote.
  for (const { preset } of docs.presets) {
    const before = state.presets.find((p) => p.preset.key === preset.key);
    const live = before !== undefined && !before.archived;
    record(
      { type: 'preset', op: live ? 'update' : 'create', ...(before ? { before } : {}), after: preset },
      `preset:${preset.key}`,
      live ? diffValues(before.preset, preset) : [],
    );
  }
  if (options.prune) {
    const named = new Set(docs.presets.map((d) => d.preset.key));
    for (const p of active(state.presets).filter((p) => !named.has(p.preset.key)))
      record({ type: 'preset', op: 'archive', before: p, after: p.preset }, `preset:${p.preset.key}`);
  }

  const currentEnvs = state.environments.map((e) => e.key);
  const { errors, warnings } = checkFinalState(
    { environments, segments, flags },
    { environments: currentEnvs, segments: currentSegments, flags: currentFlags },
    docs,
  );
  const presetErrors = checkPresets(docs.presets, new Set(flags.keys()), new Set(environments));
  return { plan, steps, errors: [...docs.diagnostics, ...errors, ...presetErrors], warnings };
}

/**
 * Every flag and environment a preset document names must exist once the apply is done: a flag defined by a
 * later document is fine, one that is only archived, or that `prune` is about to archive, is not. Stored presets
 * the documents leave alone need no check: without `prune` no flag is archived, and with it they are archived
 * themselves.
 */
function checkPresets(
  presets: readonly PresetDocument[],
  flags: ReadonlySet<string>,
  environments: ReadonlySet<string>,
): DocumentDiagnostic[] {
  return presets.flatMap(({ index, preset }) =>
    unreachableStates(preset.states, flags, environments).map(
      (p): DocumentDiagnostic => ({
        severity: 'error',
        code: p.code,
        message: `${p.message} once the documents are applied`,
        path: p.path,
        document: index,
        kind: 'Preset',
        key: preset.key,
      }),
    ),
  );
}

function active<T extends { archived: boolean }>(items: readonly T[]): T[] {
  return items.filter((i) => !i.archived);
}

/** The stored model of an authored flag (errors are reported by the final-state check, with their paths). */
function normalise(authored: unknown, environments: readonly string[]): Flag | undefined {
  return loadConfig({ environments, flags: [authored] }).config.flags[0];
}
