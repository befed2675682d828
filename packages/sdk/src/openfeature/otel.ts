import { toOpenFeatureReason } from './mapping.js';

/**
 * OpenTelemetry attribute names for a flag evaluation, from the semantic conventions' feature-flag registry
 * (https://opentelemetry.io/docs/specs/semconv/registry/attributes/feature-flag/, release candidate). They
 * replace the older `feature_flag.provider_name`, `feature_flag.variant` and `feature_flag.evaluation.reason`.
 * The same names are what OpenFeature's own `createEvaluationEvent` (`@openfeature/core` `TelemetryAttribute`)
 * writes, so spans from this helper and from an OpenFeature telemetry hook line up.
 */
export const OTEL_ATTRIBUTES = {
  KEY: 'feature_flag.key',
  PROVIDER: 'feature_flag.provider.name',
  VARIANT: 'feature_flag.result.variant',
  VALUE: 'feature_flag.result.value',
  REASON: 'feature_flag.result.reason',
  CONTEXT_ID: 'feature_flag.context.id',
  VERSION: 'feature_flag.version',
  ERROR_TYPE: 'error.type',
  ERROR_MESSAGE: 'feature_flag.error.message',
  // Vendor attributes (the conventions reserve a namespace per vendor): what the decision log records too.
  PITBOSS_REASON: 'pitboss.reason',
  PITBOSS_RULE_INDEX: 'pitboss.rule_index',
} as const;

/** Attribute values OpenTelemetry accepts (`@opentelemetry/api` `AttributeValue`, scalars only here). */
export type OtelAttributes = Record<string, string | number | boolean>;

/** An evaluation in either vocabulary: OpenFeature's `EvaluationDetails` or the Pitboss SDKs' own. */
export interface EvaluationLike {
  readonly flagKey: string;
  readonly value?: unknown;
  readonly variant?: string | undefined;
  readonly reason?: string | undefined;
  readonly errorCode?: string | undefined;
  readonly errorMessage?: string | undefined;
  readonly ruleIndex?: number | undefined;
  readonly flagMetadata?: Readonly<Record<string, string | number | boolean>>;
}

export interface OtelOptions {
  /** Default `pitboss`. */
  readonly providerName?: string;
  /** The evaluated unit (the targeting key); omit it where the unit is personal data you may not export. */
  readonly contextId?: string;
  /** The config version, when `details` carries no `flagMetadata.version`. */
  readonly version?: number | string;
  /**
   * Export the value too. Off by default: the conventions prefer the variant, and values can be large or
   * sensitive (bonus amounts, payment routes).
   */
  readonly includeValue?: boolean;
}

/**
 * The OpenTelemetry attributes of one evaluation, for a span event or a log record. Reason and error type are
 * lower-case, as the conventions' enumerations are (`targeting_match`, `flag_not_found`).
 *
 * @example
 * import { trace } from '@opentelemetry/api';
 * const details = await client.getBooleanDetails('payments_v2', false, { targetingKey: 'p-42' });
 * trace.getActiveSpan()?.addEvent('feature_flag.evaluation', toOtelAttributes(details));
 * // { 'feature_flag.key': 'payments_v2', 'feature_flag.provider.name': 'pitboss',
 * //   'feature_flag.result.variant': 'on', 'feature_flag.result.reason': 'split', 'feature_flag.version': '7',
 * //   'pitboss.reason': 'SPLIT', 'pitboss.rule_index': 0 }
 */
export function toOtelAttributes(details: EvaluationLike, options: OtelOptions = {}): OtelAttributes {
  const reason = details.reason ?? 'UNKNOWN';
  const attrs: OtelAttributes = {
    [OTEL_ATTRIBUTES.KEY]: details.flagKey,
    [OTEL_ATTRIBUTES.PROVIDER]: options.providerName ?? 'pitboss',
    // Pitboss-only reasons (KILL_SWITCH) become OpenFeature's; OpenFeature's own (STATIC, CACHED) pass as they are.
    [OTEL_ATTRIBUTES.REASON]: toOpenFeatureReason(reason, reason).toLowerCase(),
  };
  // OpenFeature details from this package's providers keep the engine's reason in metadata; a Pitboss SDK's own
  // details carry it as their reason.
  const pitbossReason = details.flagMetadata ? details.flagMetadata.pitbossReason : details.reason;
  if (pitbossReason !== undefined) attrs[OTEL_ATTRIBUTES.PITBOSS_REASON] = String(pitbossReason);
  const ruleIndex = details.ruleIndex ?? details.flagMetadata?.ruleIndex;
  if (ruleIndex !== undefined) attrs[OTEL_ATTRIBUTES.PITBOSS_RULE_INDEX] = ruleIndex;
  if (details.variant !== undefined) attrs[OTEL_ATTRIBUTES.VARIANT] = details.variant;
  if (options.includeValue && details.value !== undefined && details.value !== null) {
    attrs[OTEL_ATTRIBUTES.VALUE] =
      typeof details.value === 'object' ? JSON.stringify(details.value) : (details.value as string);
  }
  if (options.contextId !== undefined) attrs[OTEL_ATTRIBUTES.CONTEXT_ID] = options.contextId;
  // The conventions type the version as a string ("any stable value which uniquely identifies the ruleset").
  const version = details.flagMetadata?.version ?? options.version;
  if (version !== undefined) attrs[OTEL_ATTRIBUTES.VERSION] = String(version);
  if (reason === 'ERROR' || details.errorCode !== undefined) {
    attrs[OTEL_ATTRIBUTES.ERROR_TYPE] = (details.errorCode ?? 'GENERAL').toLowerCase();
    if (details.errorMessage) attrs[OTEL_ATTRIBUTES.ERROR_MESSAGE] = details.errorMessage;
  }
  return attrs;
}

type TraceApi = {
  getActiveSpan(): { addEvent(name: string, attributes?: OtelAttributes): unknown } | undefined;
};
/** `@opentelemetry/api`'s `trace`, when the application has it: an optional peer, loaded once by `loadOtel`. */
let traceApi: TraceApi | undefined;

/** Loads `@opentelemetry/api` if it is installed; without it, span events are simply not recorded. */
export async function loadOtel(): Promise<void> {
  if (traceApi !== undefined) return;
  try {
    const api = (await import('@opentelemetry/api')) as unknown as { trace: TraceApi };
    traceApi = api.trace;
  } catch {
    // Not installed: the application does not use OpenTelemetry.
  }
}

/**
 * An OpenFeature `after` hook that records every evaluation as a `feature_flag.evaluation` event on the active
 * span, with the attributes of `toOtelAttributes`: traces show which variant each request got, and why, under
 * the names every OpenTelemetry backend knows. The providers install it unless `spanEvents: false`.
 */
export function evaluationEventHook(options: OtelOptions = {}): {
  after(hookContext: unknown, details: EvaluationLike): void;
} {
  return {
    after(_hookContext, details) {
      traceApi?.getActiveSpan()?.addEvent('feature_flag.evaluation', toOtelAttributes(details, options));
    },
  };
}
