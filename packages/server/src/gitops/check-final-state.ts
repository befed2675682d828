import { compile, type Diagnostic, type Flag, type Segment } from '@pitboss/engine';
import { canonicalJson } from '../audit/canonical-json.js';
import {
  type DocumentDiagnostic,
  type FlagDocument,
  flagDocumentPath,
  type SegmentDocument,
} from './document-kinds.js';

/** The configuration `apply` would leave behind: stored items as models, submitted ones as written. */
export interface FinalState {
  readonly environments: readonly string[];
  readonly segments: ReadonlyMap<string, Segment>;
  /** Stored flags as models; flags of documents as authored (so diagnostics have paths into the document). */
  readonly flags: ReadonlyMap<string, Flag | Readonly<Record<string, unknown>>>;
}

/**
 * Compiles the final state with the engine — prerequisites and segment references are checked against what
 * will exist once everything is applied, not against the state before — and attributes each diagnostic to its
 * document. Stored items the documents do not mention are judged only by the errors the change would add, so a
 * flag saved before a rule-language change does not block an unrelated apply.
 */
export function checkFinalState(
  final: FinalState,
  current: FinalState,
  documents: { readonly flags: readonly FlagDocument[]; readonly segments: readonly SegmentDocument[] },
): { errors: DocumentDiagnostic[]; warnings: DocumentDiagnostic[] } {
  const flagDocs = new Map(documents.flags.map((d) => [d.key, d.index]));
  const segmentDocs = new Map(documents.segments.map((d) => [d.segment.key, d.index]));
  const ofDocument = (d: Diagnostic): boolean => {
    const [collection, key] = d.path;
    if (collection === 'flags') return flagDocs.has(String(key));
    if (collection === 'segments') return segmentDocs.has(String(key));
    return true;
  };
  const diagnostics = diagnose(final);
  const othersTouched = diagnostics.some((d) => d.severity === 'error' && !ofDocument(d));
  const before = othersTouched ? new Set(diagnose(current).map(identity)) : new Set<string>();
  const errors: DocumentDiagnostic[] = [];
  const warnings: DocumentDiagnostic[] = [];
  for (const d of diagnostics) {
    const mine = ofDocument(d);
    if (!mine && (d.severity === 'warning' || before.has(identity(d)))) continue;
    (d.severity === 'error' ? errors : warnings).push(attribute(d, flagDocs, segmentDocs));
  }
  return { errors, warnings };
}

function diagnose(state: FinalState): readonly Diagnostic[] {
  return compile({
    schemaVersion: 1,
    environments: state.environments,
    segments: Object.fromEntries(
      [...state.segments.values()].map((s) => [
        s.key,
        { if: s.if, ...(s.description ? { description: s.description } : {}) },
      ]),
    ),
    flags: Object.fromEntries([...state.flags].map(([key, flag]) => [key, withoutKey(flag)])),
  }).diagnostics;
}

function identity(d: Diagnostic): string {
  return canonicalJson([d.code, d.path, d.message]);
}

/** `['flags', 'payments_v2', 'rules', 0, 'if']` → document 7, `['rules', 0, 'if']`. */
function attribute(
  d: Diagnostic,
  flagDocs: ReadonlyMap<string, number>,
  segmentDocs: ReadonlyMap<string, number>,
): DocumentDiagnostic {
  const [collection, rawKey, ...rest] = d.path;
  const key = String(rawKey);
  if (collection === 'flags') {
    const index = flagDocs.get(key);
    return index === undefined
      ? { ...d, path: rest, resource: `flag:${key}` }
      : { ...d, path: flagDocumentPath(rest), document: index, kind: 'Flag', key };
  }
  if (collection === 'segments') {
    const index = segmentDocs.get(key);
    return index === undefined
      ? { ...d, path: rest, resource: `segment:${key}` }
      : { ...d, path: rest, document: index, kind: 'Segment', key };
  }
  return d;
}

/** In a map of flags the map key is the key; a repeated inner key or `feature` would be redundant. */
function withoutKey(flag: unknown): unknown {
  if (typeof flag !== 'object' || flag === null || Array.isArray(flag)) return flag;
  const { key: _key, feature: _feature, ...rest } = flag as Record<string, unknown>;
  return rest;
}
