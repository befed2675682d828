/**
 * @pitboss/engine — the flag model, the rule language, sticky bucketing and evaluation shared by every Pitboss
 * SDK and the server. Zero runtime dependencies; runs in Node 20 and browsers.
 */
export { BUCKET_COUNT, BUCKETING_VERSION, bucketFor, stickinessText, threshold } from './bucketing/bucket.js';
export { murmur3 } from './bucketing/murmur3.js';
export type { Diagnostic, DiagnosticCode, DocumentPath, Severity } from './diagnostics.js';
export { excerptAt, formatPath, hasErrors, lineColumn } from './diagnostics.js';
export {
  CompiledConfig,
  type CompileOptions,
  type CompileResult,
  compile,
} from './evaluation/compile-config.js';
export type { Explanation, RuleTrace } from './evaluation/explain.js';
export { type ErrorCode, type EvaluationResult, REASONS, type Reason } from './evaluation/result.js';
export { type StaleFlag, staleFlags } from './evaluation/stale.js';
export {
  type Config,
  DEFAULT_ENVIRONMENTS,
  DEFAULT_STICKINESS,
  DEFAULT_TTL_DAYS,
  defaultExpiry,
  ENVIRONMENT_FIELDS,
  type EnvironmentConfig,
  FLAG_KINDS,
  type Flag,
  type FlagKind,
  type FlagValue,
  type JsonValue,
  type Prerequisite,
  type Rule,
  type Segment,
  type ValueType,
} from './model/flag.js';
export { type LoadOptions, type LoadResult, loadConfig } from './model/load-config.js';
export { isPlainObject, nearest } from './model/reader.js';
export type { Expr } from './rules/ast.js';
export { type CompiledExpression, compileExpression } from './rules/expression.js';
export { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH, parseExpression } from './rules/parser.js';
export { parseIsoTime } from './rules/time.js';
export type { Context } from './rules/types.js';
