import type {
  ErrorCode,
  FlagMetadata,
  FlagValueType,
  ResolutionDetails,
  ResolutionReason,
} from '@openfeature/core';
import type { EvaluationDetails } from '../shared/types.js';

// Type-only imports keep `@openfeature/core` out of the runtime graph: the web provider must not pull in the
// server SDK (or the other way round), and both SDKs declare the same string values as `@openfeature/core`.

/**
 * Engine reason → OpenFeature reason. The engine's reasons are OpenFeature's, except two:
 * - `KILL_SWITCH` → `DISABLED`: an operator switched the flag off in the management system, which is
 *   OpenFeature's definition of DISABLED.
 * - `PREREQUISITE_FAILED` → `DISABLED`: the flag is considered off for this unit and serves its off variant
 *   (LaunchDarkly's `PREREQUISITE_FAILED` reads the same way: "considered off").
 * The exact engine reason stays in `flagMetadata.pitbossReason`, so nothing is lost.
 */
const REASONS: Readonly<Record<string, ResolutionReason>> = {
  TARGETING_MATCH: 'TARGETING_MATCH',
  SPLIT: 'SPLIT',
  DEFAULT: 'DEFAULT',
  DISABLED: 'DISABLED',
  KILL_SWITCH: 'DISABLED',
  PREREQUISITE_FAILED: 'DISABLED',
  ERROR: 'ERROR',
};

/** Engine error code → OpenFeature error code; `ENVIRONMENT_NOT_FOUND` has no OpenFeature twin. */
const ERROR_CODES: Readonly<Record<string, ErrorCode>> = {
  FLAG_NOT_FOUND: 'FLAG_NOT_FOUND' as ErrorCode,
  TYPE_MISMATCH: 'TYPE_MISMATCH' as ErrorCode,
  PARSE_ERROR: 'PARSE_ERROR' as ErrorCode,
  INVALID_CONTEXT: 'INVALID_CONTEXT' as ErrorCode,
  PROVIDER_NOT_READY: 'PROVIDER_NOT_READY' as ErrorCode,
  TARGETING_KEY_MISSING: 'TARGETING_KEY_MISSING' as ErrorCode,
  GENERAL: 'GENERAL' as ErrorCode,
  ENVIRONMENT_NOT_FOUND: 'GENERAL' as ErrorCode,
};

/**
 * The OpenFeature reason for an engine reason; an unknown reason (from a newer client) becomes `otherwise`.
 *
 * @example toOpenFeatureReason('KILL_SWITCH') // 'DISABLED'
 */
export function toOpenFeatureReason(
  reason: string,
  otherwise: ResolutionReason = 'UNKNOWN',
): ResolutionReason {
  return REASONS[reason] ?? otherwise;
}

/**
 * The OpenFeature error code for an engine error code; an unknown code becomes `GENERAL`.
 *
 * @example toOpenFeatureErrorCode('ENVIRONMENT_NOT_FOUND') // 'GENERAL'
 */
export function toOpenFeatureErrorCode(code: string | undefined): ErrorCode {
  return ERROR_CODES[code ?? 'GENERAL'] ?? ('GENERAL' as ErrorCode);
}

/** Whether `value` has the OpenFeature type `expected` (an object flag may hold a JSON array, never null). */
export function hasType(value: unknown, expected: FlagValueType): boolean {
  if (expected === 'object') return typeof value === 'object' && value !== null;
  return typeof value === expected;
}

/** What a provider knows beyond the evaluation itself. */
export interface ResolutionExtras {
  /** The config version that answered (the Node client's `version`). */
  readonly version?: number | undefined;
}

/**
 * Converts a Pitboss evaluation into OpenFeature resolution details. Errors carry the caller's default value
 * (OpenFeature 1.4.8); a value of another type than asked is a `TYPE_MISMATCH` (1.3.4). `flagMetadata` holds
 * `pitbossReason`, `ruleIndex` and `version` when known (`version` is OpenFeature's well-known metadata key for
 * the ruleset version, which its telemetry copies to `feature_flag.version`).
 *
 * @example
 * toResolution({ flagKey: 'payments_v2', value: true, variant: 'on', reason: 'SPLIT', ruleIndex: 0 }, 'boolean', false, { version: 7 })
 * // → { value: true, variant: 'on', reason: 'SPLIT', flagMetadata: { pitbossReason: 'SPLIT', ruleIndex: 0, version: 7 } }
 */
export function toResolution<T>(
  details: EvaluationDetails,
  expected: FlagValueType,
  defaultValue: T,
  extras: ResolutionExtras = {},
): ResolutionDetails<T> {
  const flagMetadata = metadataOf(details, extras);
  if (details.errorCode !== undefined || details.reason === 'ERROR') {
    return failed(
      defaultValue,
      toOpenFeatureErrorCode(details.errorCode),
      details.errorMessage ?? `flag '${details.flagKey}' could not be evaluated`,
      flagMetadata,
    );
  }
  if (!hasType(details.value, expected)) {
    return failed(
      defaultValue,
      'TYPE_MISMATCH' as ErrorCode,
      `flag '${details.flagKey}' is ${describeType(details.value)}, not ${expected}`,
      flagMetadata,
    );
  }
  return {
    value: details.value as T,
    ...(details.variant === undefined ? {} : { variant: details.variant }),
    reason: toOpenFeatureReason(details.reason),
    flagMetadata,
  };
}

/**
 * An error resolution carrying the caller's default value.
 *
 * @example failed(false, 'PROVIDER_NOT_READY' as ErrorCode, 'no config yet')
 */
export function failed<T>(
  defaultValue: T,
  errorCode: ErrorCode,
  errorMessage: string,
  flagMetadata: FlagMetadata = {},
): ResolutionDetails<T> {
  return { value: defaultValue, reason: 'ERROR', errorCode, errorMessage, flagMetadata };
}

function metadataOf(details: EvaluationDetails, extras: ResolutionExtras): FlagMetadata {
  const meta: FlagMetadata = { pitbossReason: details.reason };
  if (details.ruleIndex !== undefined) meta.ruleIndex = details.ruleIndex;
  if (extras.version !== undefined) meta.version = extras.version;
  return meta;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
