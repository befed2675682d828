import type { Diagnostic, DocumentPath, Segment } from '@pitboss/engine';
import type { AnalysisTemplate } from '../analysis/analysis-template.js';
import { readAnalysisTemplate } from '../analysis/read-analysis-template.js';
import { PitbossError } from '../errors.js';
import { type Preset, type PresetProblem, readPreset } from '../presets/preset.js';
import { readRollout } from '../rollouts/read-rollout.js';
import type { Rollout } from '../rollouts/rollout.js';

/** The kinds of GitOps document, in the order `apply` handles them (templates before the rollouts using them). */
export const DOCUMENT_KINDS = [
  'Environment',
  'Segment',
  'Flag',
  'Preset',
  'AnalysisTemplate',
  'ClusterAnalysisTemplate',
  'Rollout',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/**
 * A problem found in the submitted documents: an engine diagnostic with the index of the document it concerns
 * (`path` is then relative to that document, so the CLI can place it on a file line), or, for a stored item the
 * documents do not mention but would break, the `resource` it concerns.
 */
export interface DocumentDiagnostic extends Diagnostic {
  readonly document?: number;
  readonly kind?: DocumentKind;
  readonly key?: string;
  readonly resource?: string;
}

/** An `Environment` document. Absent fields leave the stored values alone (locks are often set by hand). */
export interface EnvironmentDocument {
  readonly index: number;
  readonly key: string;
  readonly description?: string;
  readonly gitopsLocked?: boolean;
}

export interface SegmentDocument {
  readonly index: number;
  readonly segment: Segment;
}

/**
 * A `Flag` document as the engine's loader reads it: `kind: Flag` removed and `flagKind` (the flag's own kind,
 * `release` | `ops` | …, renamed because `kind` names the document kind) put back as `kind`.
 */
export interface FlagDocument {
  readonly index: number;
  readonly key: string;
  readonly authored: Readonly<Record<string, unknown>>;
}

/** A `Preset` document, read by the presets module exactly as `POST /api/v1/presets` reads a body. */
export interface PresetDocument {
  readonly index: number;
  readonly preset: Preset;
}

/** An `AnalysisTemplate` or `ClusterAnalysisTemplate` document, read by analysis/read-analysis-template.ts. */
export interface TemplateDocument {
  readonly index: number;
  readonly kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate';
  readonly doc: unknown;
  readonly template: AnalysisTemplate;
}

/** A `Rollout` document, read by rollouts/read-rollout.ts (its templates are resolved when it is applied). */
export interface RolloutDocument {
  readonly index: number;
  readonly doc: unknown;
  readonly rollout: Rollout;
}

export interface SortedDocuments {
  readonly environments: readonly EnvironmentDocument[];
  readonly segments: readonly SegmentDocument[];
  readonly flags: readonly FlagDocument[];
  readonly presets: readonly PresetDocument[];
  readonly templates: readonly TemplateDocument[];
  readonly rollouts: readonly RolloutDocument[];
  readonly diagnostics: readonly DocumentDiagnostic[];
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const SEGMENT_FIELDS = ['kind', 'key', 'if', 'description'];
const ENVIRONMENT_FIELDS = ['kind', 'key', 'description', 'gitopsLocked'];

/**
 * Checks the shape of every document (kind, key, the fields of segments and environments) and sorts them by
 * kind. Flag fields are left to the engine's loader, which knows them and suggests corrections. Every problem
 * is collected: one pass reports all of them.
 */
export function sortDocuments(documents: readonly unknown[]): SortedDocuments {
  const out = {
    environments: [] as EnvironmentDocument[],
    segments: [] as SegmentDocument[],
    flags: [] as FlagDocument[],
    presets: [] as PresetDocument[],
    templates: [] as TemplateDocument[],
    rollouts: [] as RolloutDocument[],
    diagnostics: [] as DocumentDiagnostic[],
  };
  const seen = new Set<string>();
  documents.forEach((raw, index) => {
    // Once the key is read, every problem names it too, so a message reads "document 3 (Preset p), field …".
    let named: string | undefined;
    const problem = (path: DocumentPath, code: Diagnostic['code'], message: string, kind?: DocumentKind) =>
      out.diagnostics.push({
        severity: 'error',
        code,
        message,
        path,
        document: index,
        ...(kind ? { kind } : {}),
        ...(kind && named !== undefined ? { key: named } : {}),
      });
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problem([], 'CONFIG_TYPE', `a document is a mapping with a 'kind' (${DOCUMENT_KINDS.join(', ')})`);
      return;
    }
    const doc = raw as Record<string, unknown>;
    const kind = readKind(doc.kind, (code, message) =>
      problem(doc.kind === undefined ? [] : ['kind'], code, message),
    );
    if (kind === undefined) return;
    if (kind === 'Rollout' || kind === 'AnalysisTemplate' || kind === 'ClusterAnalysisTemplate') {
      readRolloutKind(raw, kind, index, seen, out);
      return;
    }
    const key = kind === 'Flag' ? (doc.key ?? doc.feature) : doc.key;
    if (typeof key !== 'string') {
      problem(
        key === undefined ? [] : ['key'],
        key === undefined ? 'CONFIG_REQUIRED' : 'CONFIG_TYPE',
        `a ${kind} document needs a string 'key'`,
        kind,
      );
      return;
    }
    if (seen.has(`${kind}:${key}`)) {
      problem(
        ['key'],
        'CONFIG_DUPLICATE_KEY',
        `${kind} '${key}' is defined by an earlier document too`,
        kind,
      );
      return;
    }
    seen.add(`${kind}:${key}`);
    named = key;
    const before = out.diagnostics.length;
    if (kind === 'Preset') {
      const preset = readPresetDocument(doc, problem);
      if (preset !== undefined) out.presets.push({ index, preset });
    } else if (kind === 'Environment') {
      const env = readEnvironment(doc, index, key, problem);
      if (out.diagnostics.length === before) out.environments.push(env);
    } else if (kind === 'Segment') {
      const segment = readSegment(doc, key, problem);
      if (out.diagnostics.length === before) out.segments.push({ index, segment });
    } else {
      out.flags.push({ index, key, authored: authoredFlag(doc) });
    }
  });
  return out;
}

type Problem = (path: DocumentPath, code: Diagnostic['code'], message: string, kind?: DocumentKind) => void;

/**
 * Rollouts and analysis templates are read by their own modules (the API reads them the same way): their
 * diagnostics already carry paths inside the document. Both template kinds share one namespace of names.
 */
function readRolloutKind(
  raw: unknown,
  kind: 'Rollout' | 'AnalysisTemplate' | 'ClusterAnalysisTemplate',
  index: number,
  seen: Set<string>,
  out: { templates: TemplateDocument[]; rollouts: RolloutDocument[]; diagnostics: DocumentDiagnostic[] },
): void {
  const read =
    kind === 'Rollout'
      ? (() => {
          const r = readRollout(raw);
          return { name: r.rollout?.name, diagnostics: r.diagnostics, rollout: r.rollout };
        })()
      : (() => {
          const r = readAnalysisTemplate(raw);
          return { name: r.template?.name, diagnostics: r.diagnostics, template: r.template };
        })();
  const named = read.name === undefined ? {} : { key: read.name };
  const errors = read.diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors) out.diagnostics.push({ ...d, document: index, kind, ...named });
  if (errors.length > 0 || read.name === undefined) return;
  const space = kind === 'Rollout' ? 'Rollout' : 'AnalysisTemplate';
  if (seen.has(`${space}:${read.name}`)) {
    out.diagnostics.push({
      severity: 'error',
      code: 'CONFIG_DUPLICATE_KEY',
      message: `${kind} '${read.name}' is defined by an earlier document too`,
      path: ['metadata', 'name'],
      document: index,
      kind,
      key: read.name,
    });
    return;
  }
  seen.add(`${space}:${read.name}`);
  if ('rollout' in read && read.rollout) out.rollouts.push({ index, doc: raw, rollout: read.rollout });
  if ('template' in read && read.template && kind !== 'Rollout')
    out.templates.push({ index, kind, doc: raw, template: read.template });
}

function readKind(
  value: unknown,
  problem: (code: Diagnostic['code'], message: string) => void,
): DocumentKind | undefined {
  if (value === undefined) {
    problem('CONFIG_REQUIRED', `a document needs a 'kind': ${DOCUMENT_KINDS.join(', ')}`);
    return undefined;
  }
  if ((DOCUMENT_KINDS as readonly unknown[]).includes(value)) return value as DocumentKind;
  const near = DOCUMENT_KINDS.find(
    (k) => typeof value === 'string' && k.toLowerCase() === value.toLowerCase(),
  );
  const hint = near ? `; did you mean '${near}'?` : '';
  problem(
    'CONFIG_TYPE',
    `kind must be one of ${DOCUMENT_KINDS.join(', ')}, not ${JSON.stringify(value)}${hint}`,
  );
  return undefined;
}

function readEnvironment(
  doc: Record<string, unknown>,
  index: number,
  key: string,
  problem: Problem,
): EnvironmentDocument {
  unknownFields(doc, ENVIRONMENT_FIELDS, 'Environment', problem);
  if (!KEY.test(key))
    problem(
      ['key'],
      'CONFIG_INVALID_KEY',
      'an environment key is 1–128 letters, digits, _ - .',
      'Environment',
    );
  if (doc.description !== undefined && typeof doc.description !== 'string')
    problem(['description'], 'CONFIG_TYPE', 'description must be a string', 'Environment');
  if (doc.gitopsLocked !== undefined && typeof doc.gitopsLocked !== 'boolean')
    problem(['gitopsLocked'], 'CONFIG_TYPE', 'gitopsLocked must be true or false', 'Environment');
  return {
    index,
    key,
    ...(typeof doc.description === 'string' ? { description: doc.description } : {}),
    ...(typeof doc.gitopsLocked === 'boolean' ? { gitopsLocked: doc.gitopsLocked } : {}),
  };
}

function readSegment(doc: Record<string, unknown>, key: string, problem: Problem): Segment {
  unknownFields(doc, SEGMENT_FIELDS, 'Segment', problem);
  if (!KEY.test(key))
    problem(['key'], 'CONFIG_INVALID_KEY', 'a segment key is 1–128 letters, digits, _ - .', 'Segment');
  if (doc.if === undefined) problem([], 'CONFIG_REQUIRED', "a segment needs an 'if' expression", 'Segment');
  else if (typeof doc.if !== 'string')
    problem(['if'], 'CONFIG_TYPE', "'if' must be an expression string", 'Segment');
  if (doc.description !== undefined && typeof doc.description !== 'string')
    problem(['description'], 'CONFIG_TYPE', 'description must be a string', 'Segment');
  const condition = typeof doc.if === 'string' ? doc.if : '';
  return typeof doc.description === 'string'
    ? { key, if: condition, description: doc.description }
    : { key, if: condition };
}

/**
 * A preset document is a preset body plus `kind`, so the presets module's own reader checks it (one set of
 * rules for the API and the repository); its problems already carry paths inside the body, which are paths
 * inside the document too. Whether the flags and environments it names exist is judged later, against the
 * state the whole apply leaves behind.
 */
function readPresetDocument(doc: Record<string, unknown>, problem: Problem): Preset | undefined {
  const { kind: _document, ...body } = doc;
  try {
    return readPreset(body);
  } catch (e) {
    if (!(e instanceof PitbossError) || !Array.isArray(e.details)) throw e;
    for (const p of e.details as PresetProblem[]) problem(p.path, p.code, p.message, 'Preset');
    return undefined;
  }
}

function unknownFields(
  doc: Record<string, unknown>,
  allowed: readonly string[],
  kind: DocumentKind,
  problem: Problem,
): void {
  for (const field of Object.keys(doc)) {
    if (!allowed.includes(field))
      problem(
        [field],
        'CONFIG_UNKNOWN_FIELD',
        `unknown field '${field}' in a ${kind} document; allowed: ${allowed.join(', ')}`,
        kind,
      );
  }
}

function authoredFlag(doc: Record<string, unknown>): Record<string, unknown> {
  const { kind: _document, flagKind, ...rest } = doc;
  return flagKind === undefined ? rest : { ...rest, kind: flagKind };
}

/** A path the loader reports inside an authored flag, as written in its document (`kind` is `flagKind` there). */
export function flagDocumentPath(path: DocumentPath): DocumentPath {
  return path[0] === 'kind' ? ['flagKind', ...path.slice(1)] : path;
}
